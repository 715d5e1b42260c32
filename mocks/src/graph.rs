//! Microsoft Graph v1.0, the parts kubeposture reads: Conditional Access policies, groups and
//! their members, PIM for Groups (eligibility and assignment schedules, the groups' role
//! management policies) and `directoryObjects/getByIds`. Bearer tokens issued for
//! `https://graph.microsoft.com`; lists as `{"@odata.context", "value", "@odata.nextLink"}` with an
//! opaque `$skiptoken`; errors as `{"error": {"code", "message", "innerError": {…}}}`.

use crate::directory::{self, Kind, str_of};
use crate::entra;
use crate::estate::Tenant;
use crate::faults::{Call, Injected};
use crate::paging;
use crate::state::{Denied, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// Prefix of every `@odata.context` (Graph names itself there, not the mock).
const METADATA: &str = "https://graph.microsoft.com/v1.0/$metadata#";
const CONTENT_TYPE: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
/// Most ids `directoryObjects/getByIds` takes in one call.
const MAX_IDS: usize = 1000;
/// `directoryObjects/getByIds` `types` Graph knows (only the first three exist in an estate).
const TYPES: &[&str] = &[
    "user",
    "group",
    "servicePrincipal",
    "application",
    "device",
    "orgContact",
    "directoryRole",
    "directoryRoleTemplate",
    "administrativeUnit",
    "contract",
];

/// A Graph request (the path starts with `/v1.0/`).
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The ids Graph echoes in `innerError` and in response headers.
struct Ids {
    request: String,
    client: String,
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, CONTENT_TYPE)], body.to_string()).into_response()
}

fn error(ids: &Ids, status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let date = time::OffsetDateTime::now_utc().format(fmt).unwrap_or_default();
    let body = json!({"error": {
        "code": code,
        "message": message,
        "innerError": {"date": date, "request-id": ids.request, "client-request-id": ids.client},
    }});
    json_response(status, &body)
}

fn denied(ids: &Ids, d: Denied) -> Response {
    match d {
        Denied::Throttled(t) => {
            let mut r = error(ids, 429, "TooManyRequests", "Too many requests.");
            if let Some(v) = t.retry_after_secs.and_then(|s| s.to_string().parse().ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Denied::Injected(Injected::Error { status, code, message }) => error(ids, status, &code, &message),
        // `RepeatToken` is validated to AWS lists only.
        Denied::Injected(Injected::Malformed | Injected::RepeatToken) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, CONTENT_TYPE)],
            format!("{{\"@odata.context\":\"{METADATA}directoryObjects\",\"value\":[{{\"id\":\""),
        )
            .into_response(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Schedules {
    Eligibility,
    Assignment,
}

enum Route<'a> {
    ListPolicies,
    GetPolicy(&'a str),
    GetGroup(&'a str),
    Members(&'a str),
    TransitiveMemberOf(&'a str),
    Schedules(Schedules),
    PolicyAssignments,
    GetByIds,
    RoleEligibilityInstances,
}

impl Route<'_> {
    /// The operation (and counter) name.
    fn op(&self) -> &'static str {
        match self {
            Route::ListPolicies => "listConditionalAccessPolicies",
            Route::GetPolicy(_) => "getConditionalAccessPolicy",
            Route::GetGroup(_) => "getGroup",
            Route::Members(_) => "listGroupMembers",
            Route::TransitiveMemberOf(_) => "listTransitiveMemberOf",
            Route::Schedules(Schedules::Eligibility) => "listGroupEligibilitySchedules",
            Route::Schedules(Schedules::Assignment) => "listGroupAssignmentSchedules",
            Route::PolicyAssignments => "listRoleManagementPolicyAssignments",
            Route::GetByIds => "getDirectoryObjectsByIds",
            Route::RoleEligibilityInstances => "listDirectoryRoleEligibilityScheduleInstances",
        }
    }
}

/// The route and the method it takes, or the segment Graph would not resolve.
fn route<'a>(s: &[&'a str]) -> Result<(Method, Route<'a>), &'a str> {
    let is = |i: usize, want: &str| s.get(i).is_some_and(|x| x.eq_ignore_ascii_case(want));
    let r = match s.len() {
        3 if is(0, "identity") && is(1, "conditionalAccess") && is(2, "policies") => (Method::GET, Route::ListPolicies),
        4 if is(0, "identity") && is(1, "conditionalAccess") && is(2, "policies") => {
            (Method::GET, Route::GetPolicy(s[3]))
        }
        2 if is(0, "groups") => (Method::GET, Route::GetGroup(s[1])),
        3 if is(0, "groups") && is(2, "members") => (Method::GET, Route::Members(s[1])),
        3 if is(0, "users") && is(2, "transitiveMemberOf") => (Method::GET, Route::TransitiveMemberOf(s[1])),
        4 if is(0, "identityGovernance") && is(1, "privilegedAccess") && is(2, "group") => {
            if is(3, "eligibilitySchedules") {
                (Method::GET, Route::Schedules(Schedules::Eligibility))
            } else if is(3, "assignmentSchedules") {
                (Method::GET, Route::Schedules(Schedules::Assignment))
            } else {
                return Err(s[3]);
            }
        }
        2 if is(0, "policies") && is(1, "roleManagementPolicyAssignments") => (Method::GET, Route::PolicyAssignments),
        2 if is(0, "directoryObjects") && is(1, "getByIds") => (Method::POST, Route::GetByIds),
        3 if is(0, "roleManagement") && is(1, "directory") && is(2, "roleEligibilityScheduleInstances") => {
            (Method::GET, Route::RoleEligibilityInstances)
        }
        _ => return Err(s.last().copied().unwrap_or("")),
    };
    Ok(r)
}

/// An OData system query option, with or without its `$` (Graph v1.0 takes both).
fn option<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query.iter().find(|(k, _)| k.strip_prefix('$').unwrap_or(k).eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// `prop eq 'value' [and prop eq 'value']…`: the only `$filter` form these endpoints need.
fn parse_filter(filter: &str) -> Result<Vec<(String, String)>, String> {
    let invalid = || format!("Invalid filter clause: {filter}");
    let mut rest = filter.trim();
    let mut clauses = Vec::new();
    loop {
        let (prop, after) = rest.split_once(char::is_whitespace).ok_or_else(invalid)?;
        let after = after.trim_start();
        let after = strip_word(after, "eq").ok_or_else(invalid)?.trim_start();
        let after = after.strip_prefix('\'').ok_or_else(invalid)?;
        // A quote inside a value is doubled ('').
        let mut value = String::new();
        let mut chars = after.char_indices().peekable();
        let end = loop {
            match chars.next() {
                None => return Err(invalid()),
                Some((i, '\'')) => {
                    if chars.peek().is_some_and(|(_, c)| *c == '\'') {
                        chars.next();
                        value.push('\'');
                    } else {
                        break i + 1;
                    }
                }
                Some((_, c)) => value.push(c),
            }
        };
        clauses.push((prop.to_string(), value));
        rest = after[end..].trim_start();
        if rest.is_empty() {
            return Ok(clauses);
        }
        rest = strip_word(rest, "and").ok_or_else(invalid)?.trim_start();
    }
}

/// `s` without a leading keyword (case-insensitive) followed by whitespace.
fn strip_word<'s>(s: &'s str, word: &str) -> Option<&'s str> {
    let head = s.get(..word.len())?;
    let tail = &s[word.len()..];
    (head.eq_ignore_ascii_case(word) && tail.starts_with(char::is_whitespace)).then_some(tail)
}

/// `item[prop]` (property names case-insensitive) equals `value` (case-insensitive: ids).
fn matches(item: &Value, clauses: &[(String, String)]) -> bool {
    clauses.iter().all(|(prop, want)| {
        item.as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(prop)))
            .and_then(|(_, v)| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case(want))
    })
}

fn clause<'c>(clauses: &'c [(String, String)], prop: &str) -> Option<&'c str> {
    clauses.iter().find(|(p, _)| p.eq_ignore_ascii_case(prop)).map(|(_, v)| v.as_str())
}

/// Percent-encodes a query key or value for a nextLink, keeping what OData URLs show literally.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~$'(),:@!*".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The user properties Graph v1.0 returns without `$select` (`userType` is not among them).
const USER_DEFAULTS: [&str; 12] = [
    "@odata.type",
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

fn default_user_properties(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(k, _)| USER_DEFAULTS.contains(&k.as_str())).collect()),
        other => other,
    }
}

pub async fn handle(state: &State, req: &Request<'_>) -> Response {
    let request = state.request_id();
    let client = req
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| request.clone());
    let ids = Ids { request, client };
    let mut r = serve(state, req, &ids).await;
    for (name, value) in [("request-id", &ids.request), ("client-request-id", &ids.client)] {
        if let Ok(v) = HeaderValue::from_str(value) {
            r.headers_mut().insert(name, v);
        }
    }
    r
}

async fn serve(state: &State, req: &Request<'_>, ids: &Ids) -> Response {
    let authorization = req.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token = state.token(authorization);
    let Some(token) = token.filter(|t| t.audience == entra::GRAPH) else {
        let message = match (authorization, state.token(authorization)) {
            (None, _) => "Access token is empty.",
            (Some(_), Some(_)) => "Access token validation failure. Invalid audience.",
            (Some(_), None) => "Access token validation failure.",
        };
        return error(ids, 401, "InvalidAuthenticationToken", message);
    };
    let Some(tenant) = state.estate.tenant(&token.tenant_id) else {
        return error(ids, 401, "InvalidAuthenticationToken", "Access token validation failure.");
    };
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').skip(1).collect();
    let (method, route) = match route(&segments) {
        Ok(r) => r,
        Err(segment) => {
            return error(ids, 400, "BadRequest", &format!("Resource not found for the segment '{segment}'."));
        }
    };
    crate::ratelimit::set_caller(crate::ratelimit::Caller {
        tenant: tenant.tenant_id.clone(),
        principal: token.client_id.clone(),
        tenant_users: tenant.users.len(),
        units: crate::ratelimit::graph_units(route.op(), req.query),
    });
    if method != *req.method {
        return error(ids, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
    }
    let top = match option(req.query, "top") {
        None => None,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => Some(n),
            _ => {
                return error(
                    ids,
                    400,
                    "BadRequest",
                    &format!("Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."),
                );
            }
        },
    };
    let select_raw = option(req.query, "select").map(str::trim).filter(|s| !s.is_empty());
    let select = select_raw.map(|s| s.split(',').map(|f| f.trim().to_string()).collect()).unwrap_or_default();
    let g = G { state, tenant, path: req.path, query: req.query, ids, select, select_raw, top };
    match route {
        Route::ListPolicies => g.list_policies().await,
        Route::GetPolicy(id) => g.get_policy(id).await,
        Route::GetGroup(id) => g.get_group(id).await,
        Route::Members(id) => g.members(id).await,
        Route::TransitiveMemberOf(id) => g.transitive_member_of(id).await,
        Route::Schedules(kind) => g.schedules(kind).await,
        Route::PolicyAssignments => g.policy_assignments().await,
        Route::GetByIds => g.get_by_ids(req.body).await,
        Route::RoleEligibilityInstances => g.role_eligibility_instances().await,
    }
}

struct G<'a> {
    state: &'a State,
    tenant: &'a Tenant,
    path: &'a str,
    query: &'a [(String, String)],
    ids: &'a Ids,
    /// `$select` fields (empty: all).
    select: Vec<String>,
    select_raw: Option<&'a str>,
    top: Option<usize>,
}

impl G<'_> {
    fn page_size(&self) -> usize {
        self.top.unwrap_or(self.state.opts.page_size)
    }

    /// The offset a list call starts at (its `$skiptoken`, opaque and tied to the operation).
    fn skip(&self, op: &str) -> Result<usize, Box<Response>> {
        match option(self.query, "skiptoken") {
            None => Ok(0),
            Some(t) => paging::decode_token(&format!("graph:{op}"), t).ok_or_else(|| {
                Box::new(error(
                    self.ids,
                    400,
                    "Directory_ExpiredPageToken",
                    "The specified page token value has expired and can no longer be included in your request.",
                ))
            }),
        }
    }

    /// `entity` with `$select` applied (`@odata.type` and the `keep` properties always stay).
    fn selected(&self, v: Value, keep: &[&str]) -> Value {
        if self.select.is_empty() {
            return v;
        }
        let Value::Object(m) = v else { return v };
        let wanted = |k: &str| {
            k == "@odata.type" || keep.contains(&k) || self.select.iter().any(|s| s.eq_ignore_ascii_case(k) || s == "*")
        };
        Value::Object(m.into_iter().filter(|(k, _)| wanted(k)).collect())
    }

    /// `{METADATA}{set}` plus `(fields)` for `$select` and the expansions.
    fn context(&self, set: &str, expanded: Option<&str>) -> String {
        let mut parts: Vec<&str> = self.select_raw.into_iter().collect();
        parts.extend(expanded);
        if parts.is_empty() { format!("{METADATA}{set}") } else { format!("{METADATA}{set}({})", parts.join(",")) }
    }

    fn paged(&self, op: &str, skip: usize, items: &[Value], context: String) -> Response {
        let (page, next) = paging::page(items, skip, self.page_size());
        let mut body = Map::new();
        body.insert("@odata.context".into(), Value::String(context));
        body.insert("value".into(), Value::Array(page.to_vec()));
        if let Some(n) = next {
            let mut q: Vec<String> = self
                .query
                .iter()
                .filter(|(k, _)| !k.strip_prefix('$').unwrap_or(k).eq_ignore_ascii_case("skiptoken"))
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect();
            q.push(format!("$skiptoken={}", paging::encode_token(&format!("graph:{op}"), n)));
            let link = format!("{}{}?{}", self.state.base_url, self.path, q.join("&"));
            body.insert("@odata.nextLink".into(), Value::String(link));
        }
        json_response(StatusCode::OK, &Value::Object(body))
    }

    /// An entity with its `@odata.context` first.
    fn entity(&self, context: String, v: Value) -> Response {
        let mut body = Map::new();
        body.insert("@odata.context".into(), Value::String(context));
        if let Value::Object(m) = v {
            body.extend(m);
        }
        json_response(StatusCode::OK, &Value::Object(body))
    }

    fn not_found(&self, id: &str) -> Response {
        error(
            self.ids,
            404,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    fn call<'c>(&'c self, op: &'c str, group: Option<&'c str>, page: Option<u32>) -> Call<'c> {
        Call { op, tenant: Some(&self.tenant.tenant_id), group, page, resource: group, ..Default::default() }
    }

    /// A paged list's skip offset, after the gate let the call through.
    async fn open_page(&self, op: &str, group: Option<&str>) -> Result<usize, Box<Response>> {
        let skip = self.skip(op)?;
        let page = paging::number(skip, self.page_size());
        self.gate(&self.call(op, group, Some(page))).await?;
        Ok(skip)
    }

    async fn gate(&self, call: &Call<'_>) -> Result<(), Box<Response>> {
        self.state.gate(call, true).await.map_err(|d| Box::new(denied(self.ids, d)))
    }

    async fn list_policies(&self) -> Response {
        let op = "listConditionalAccessPolicies";
        let skip = match self.open_page(op, None).await {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let items: Vec<Value> =
            self.tenant.conditional_access_policies.iter().map(|p| self.selected(p.clone(), &[])).collect();
        self.paged(op, skip, &items, self.context("conditionalAccess/policies", None))
    }

    async fn get_policy(&self, id: &str) -> Response {
        if let Err(r) = self.gate(&self.call("getConditionalAccessPolicy", None, None)).await {
            return *r;
        }
        let found = self
            .tenant
            .conditional_access_policies
            .iter()
            .find(|p| str_of(p, "id").is_some_and(|i| i.eq_ignore_ascii_case(id)));
        match found {
            Some(p) => {
                let context = format!("{}/$entity", self.context("conditionalAccess/policies", None));
                self.entity(context, self.selected(p.clone(), &[]))
            }
            None => self.not_found(id),
        }
    }

    async fn get_group(&self, id: &str) -> Response {
        if let Err(r) = self.gate(&self.call("getGroup", Some(id), None)).await {
            return *r;
        }
        match self.tenant.group(id) {
            Some(g) => {
                let context = format!("{}/$entity", self.context("groups", None));
                self.entity(context, self.selected(directory::public(Kind::Group, g, false), &[]))
            }
            None => self.not_found(id),
        }
    }

    async fn members(&self, id: &str) -> Response {
        let op = "listGroupMembers";
        let skip = match self.open_page(op, Some(id)).await {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let Some(g) = self.tenant.group(id) else { return self.not_found(id) };
        let items: Vec<Value> = self
            .tenant
            .members(g)
            .into_iter()
            .filter_map(|m| self.tenant.object(m))
            .map(|(kind, o)| match (kind, self.select.is_empty()) {
                (Kind::User, true) => default_user_properties(directory::public(kind, o, true)),
                _ => self.selected(directory::public(kind, o, true), &[]),
            })
            .collect();
        self.paged(op, skip, &items, self.context("directoryObjects", None))
    }

    /// `roleManagement/directory/roleEligibilityScheduleInstances`, optionally filtered
    /// (`principalId eq '…'`, `roleDefinitionId eq '…'`).
    async fn role_eligibility_instances(&self) -> Response {
        let op = Route::RoleEligibilityInstances.op();
        let skip = match self.open_page(op, None).await {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let clauses = match option(self.query, "filter").map(parse_filter) {
            None => vec![],
            Some(Ok(c)) => c,
            Some(Err(m)) => return error(self.ids, 400, "BadRequest", &m),
        };
        let items: Vec<Value> = self
            .tenant
            .role_management
            .directory
            .role_eligibility_schedule_instances
            .iter()
            .filter(|i| matches(i, &clauses))
            .map(|i| self.selected(i.clone(), &[]))
            .collect();
        self.paged(op, skip, &items, self.context("roleManagement/directory/roleEligibilityScheduleInstances", None))
    }

    /// `users/{id}/transitiveMemberOf`: every group the user is in, nested ones included, and the
    /// directory roles it holds (directly or through a role-assignable group).
    async fn transitive_member_of(&self, id: &str) -> Response {
        let op = "listTransitiveMemberOf";
        let skip = match self.skip(op) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let page = paging::number(skip, self.page_size());
        let call = Call { principal: Some(id), ..self.call(op, None, Some(page)) };
        if let Err(r) = self.gate(&call).await {
            return *r;
        }
        if !matches!(self.tenant.object(id), Some((Kind::User, _))) {
            return self.not_found(id);
        }
        let mut items: Vec<Value> = self
            .tenant
            .transitive_groups(id)
            .into_iter()
            .map(|g| self.selected(directory::public(Kind::Group, g, true), &[]))
            .collect();
        items.extend(
            self.tenant.transitive_roles(id).into_iter().map(|r| self.selected(directory::public_role(r), &[])),
        );
        self.paged(op, skip, &items, self.context("directoryObjects", None))
    }

    /// The `$filter` of a call that requires one: its clauses, or the 400 to answer.
    fn required_filter(&self, required: &[&[&str]], missing: &str) -> Result<Vec<(String, String)>, Box<Response>> {
        let bad = |m: &str| Box::new(error(self.ids, 400, "BadRequest", m));
        let Some(filter) = option(self.query, "filter") else { return Err(bad(missing)) };
        let clauses = parse_filter(filter).map_err(|m| bad(&m))?;
        let ok = required.iter().any(|all| all.iter().all(|p| clause(&clauses, p).is_some()));
        if ok { Ok(clauses) } else { Err(bad(missing)) }
    }

    async fn schedules(&self, kind: Schedules) -> Response {
        let (op, set, items) = match kind {
            Schedules::Eligibility => (
                "listGroupEligibilitySchedules",
                "identityGovernance/privilegedAccess/group/eligibilitySchedules",
                &self.tenant.privileged_access.eligibility_schedules,
            ),
            Schedules::Assignment => (
                "listGroupAssignmentSchedules",
                "identityGovernance/privilegedAccess/group/assignmentSchedules",
                &self.tenant.privileged_access.assignment_schedules,
            ),
        };
        let skip = match self.skip(op) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let page = paging::number(skip, self.page_size());
        let clauses = option(self.query, "filter").and_then(|f| parse_filter(f).ok()).unwrap_or_default();
        if let Err(r) = self.gate(&self.call(op, clause(&clauses, "groupId"), Some(page))).await {
            return *r;
        }
        // Real Graph refuses an unscoped list; its docs: "This method requires the $filter (eq)
        // query parameter to scope the request to a principalId or a groupId."
        let clauses = match self.required_filter(
            &[&["groupId"], &["principalId"]],
            "This method requires the $filter (eq) query parameter to scope the request to a principalId or a groupId: $filter=groupId eq '{groupId}' or $filter=principalId eq '{principalId}'.",
        ) {
            Ok(c) => c,
            Err(r) => return *r,
        };
        // `$expand=principal` (the navigation property Graph supports): the principal as a
        // directory object with its `@odata.type`.
        let expand: String =
            option(self.query, "expand").unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect();
        let principal = match expand.to_ascii_lowercase().as_str() {
            "" => false,
            "principal" => true,
            _ => {
                let name = expand.split(['(', ',']).next().unwrap_or("").to_string();
                return error(
                    self.ids,
                    400,
                    "BadRequest",
                    &format!(
                        "Parsing OData Select and Expand failed: Could not find a property named '{name}' on type 'microsoft.graph.privilegedAccessGroupEligibilitySchedule'."
                    ),
                );
            }
        };
        let items: Vec<Value> = items
            .iter()
            .filter(|s| matches(s, &clauses))
            .map(|s| {
                let mut s = s.clone();
                if principal
                    && let Some(o) = s.as_object_mut()
                    && let Some((kind, obj)) =
                        o.get("principalId").and_then(Value::as_str).and_then(|id| self.tenant.object(id))
                {
                    o.insert("principal".into(), directory::public(kind, obj, true));
                }
                self.selected(s, if principal { &["principal"] } else { &[] })
            })
            .collect();
        self.paged(op, skip, &items, self.context(set, principal.then_some("principal()")))
    }

    async fn policy_assignments(&self) -> Response {
        let op = "listRoleManagementPolicyAssignments";
        let skip = match self.skip(op) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let page = paging::number(skip, self.page_size());
        let clauses = option(self.query, "filter").and_then(|f| parse_filter(f).ok()).unwrap_or_default();
        let group =
            clause(&clauses, "scopeType").filter(|t| t.eq_ignore_ascii_case("Group")).and(clause(&clauses, "scopeId"));
        if let Err(r) = self.gate(&self.call(op, group, Some(page))).await {
            return *r;
        }
        let clauses = match self.required_filter(
            &[&["scopeId", "scopeType"]],
            "The $filter must scope the request with scopeId and scopeType, for example $filter=scopeId eq '{groupId}' and scopeType eq 'Group'.",
        ) {
            Ok(c) => c,
            Err(r) => return *r,
        };
        // `$expand=policy($expand=rules)`, `$expand=policy`, or nothing (no `policy` then).
        let expand: String =
            option(self.query, "expand").unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect();
        let (policy, rules, expanded) = match expand.to_ascii_lowercase().as_str() {
            "" => (false, false, None),
            "policy" => (true, false, Some("policy()")),
            "policy($expand=rules)" | "policy(expand=rules)" => (true, true, Some("policy(rules())")),
            _ => {
                let name = expand.split(['(', ',']).next().unwrap_or("").to_string();
                let name = if name.eq_ignore_ascii_case("policy") { "rules".to_string() } else { name };
                return error(
                    self.ids,
                    400,
                    "BadRequest",
                    &format!(
                        "Parsing OData Select and Expand failed: Could not find a property named '{name}' on type 'microsoft.graph.unifiedRoleManagementPolicyAssignment'."
                    ),
                );
            }
        };
        let items: Vec<Value> = self
            .tenant
            .privileged_access
            .role_management_policy_assignments
            .iter()
            .filter(|a| matches(a, &clauses))
            .map(|a| {
                let mut a = a.clone();
                if let Some(o) = a.as_object_mut() {
                    if !policy {
                        o.remove("policy");
                    } else if !rules && let Some(p) = o.get_mut("policy").and_then(Value::as_object_mut) {
                        p.remove("rules");
                    }
                }
                self.selected(a, if policy { &["policy"] } else { &[] })
            })
            .collect();
        self.paged(op, skip, &items, self.context("policies/roleManagementPolicyAssignments", expanded))
    }

    async fn get_by_ids(&self, body: &[u8]) -> Response {
        if let Err(r) = self.gate(&self.call("getDirectoryObjectsByIds", None, None)).await {
            return *r;
        }
        let bad = |m: &str| error(self.ids, 400, "Request_BadRequest", m);
        let Ok(body) = serde_json::from_slice::<Value>(body) else {
            return bad("Invalid request body: expected a JSON object with `ids` (and optionally `types`).");
        };
        let strings = |k: &str| -> Option<Vec<String>> {
            match body.get(k) {
                None | Some(Value::Null) => Some(Vec::new()),
                Some(Value::Array(a)) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
                Some(_) => None,
            }
        };
        let (Some(ids), Some(types)) = (strings("ids"), strings("types")) else {
            return bad("Invalid request body: `ids` and `types` must be lists of strings.");
        };
        if ids.is_empty() {
            return bad("Invalid request body: `ids` is required and must not be empty.");
        }
        if ids.len() > MAX_IDS {
            return bad(&format!("Too many ids: {} given, at most {MAX_IDS} are allowed.", ids.len()));
        }
        let mut kinds = Vec::new();
        for t in &types {
            let t = t.strip_prefix("microsoft.graph.").unwrap_or(t);
            if !TYPES.iter().any(|k| k.eq_ignore_ascii_case(t)) {
                return bad(&format!("Invalid type '{t}' in `types`."));
            }
            kinds.extend(Kind::ALL.into_iter().filter(|k| k.name().eq_ignore_ascii_case(t)));
        }
        let value: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.tenant.object(id))
            .filter(|(k, _)| types.is_empty() || kinds.contains(k))
            .map(|(k, o)| {
                let o = directory::public(k, o, true);
                match (k, self.select.is_empty()) {
                    (Kind::User, true) => default_user_properties(o),
                    (_, true) => o,
                    (_, false) => self.selected(o, &["id"]),
                }
            })
            .collect();
        json_response(StatusCode::OK, &json!({"@odata.context": format!("{METADATA}directoryObjects"), "value": value}))
    }
}

#[cfg(test)]
mod tests;
