//! Azure Resource Manager: subscriptions, managedClusters (paged by `nextLink`),
//! kubernetesVersions per location and diagnostic settings per cluster; the
//! `Microsoft.Authorization` endpoints are in `authz.rs`. Paths match case-insensitively, as
//! ARM's do.

use crate::authz;
use crate::entra;
use crate::estate::{Subscription, resource_id};
use crate::faults::{Call, Injected};
use crate::paging;
use crate::state::{Denied, State, Token};
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// `{"error": {"code", "message"}}` — the ARM (and Graph) error body.
pub fn error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// The answer for a call the gate stopped.
pub fn denied(d: Denied) -> Response {
    match d {
        Denied::Throttled(t) => {
            let message = t.message.unwrap_or_else(|| {
                "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00.".into()
            });
            let mut r = error(429, t.code.unwrap_or("TooManyRequests"), &message);
            if let Some(v) = t.retry_after_secs.and_then(|s| s.to_string().parse().ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Denied::Injected(Injected::Error { status, code, message }) => error(status, &code, &message),
        // `RepeatToken` is validated to AWS lists only.
        Denied::Injected(Injected::Malformed | Injected::RepeatToken) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"value\": [{\"id\": \"/subscriptions/")
                .into_response()
        }
    }
}

/// A parsed ARM request path.
enum Route<'a> {
    Subscriptions,
    Clusters { sub: &'a str, rg: Option<&'a str> },
    Cluster { sub: &'a str, rg: &'a str, name: &'a str },
    Versions { sub: &'a str, location: &'a str },
    Diagnostics { sub: &'a str, rg: &'a str, name: &'a str },
    UserCredential { sub: &'a str, rg: &'a str, name: &'a str },
    Authz(authz::Route<'a>),
    Descendants { group: &'a str },
}

fn route(path: &str) -> Option<Route<'_>> {
    let s: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let Some(r) = authz::route(&s) {
        return Some(Route::Authz(r));
    }
    let is = |i: usize, want: &str| s.get(i).is_some_and(|x| x.eq_ignore_ascii_case(want));
    if s.len() == 5
        && is(0, "providers")
        && is(1, "Microsoft.Management")
        && is(2, "managementGroups")
        && is(4, "descendants")
    {
        return Some(Route::Descendants { group: s[3] });
    }
    let cs = |i: usize| is(i, "providers") && is(i + 1, "Microsoft.ContainerService");
    if !is(0, "subscriptions") {
        return None;
    }
    match s.len() {
        1 => Some(Route::Subscriptions),
        5 if cs(2) && is(4, "managedClusters") => Some(Route::Clusters { sub: s[1], rg: None }),
        7 if cs(2) && is(4, "locations") && is(6, "kubernetesVersions") => {
            Some(Route::Versions { sub: s[1], location: s[5] })
        }
        7 if is(2, "resourceGroups") && cs(4) && is(6, "managedClusters") => {
            Some(Route::Clusters { sub: s[1], rg: Some(s[3]) })
        }
        8 if is(2, "resourceGroups") && cs(4) && is(6, "managedClusters") => {
            Some(Route::Cluster { sub: s[1], rg: s[3], name: s[7] })
        }
        9 if is(2, "resourceGroups") && cs(4) && is(6, "managedClusters") && is(8, "listClusterUserCredential") => {
            Some(Route::UserCredential { sub: s[1], rg: s[3], name: s[7] })
        }
        11 if is(2, "resourceGroups")
            && cs(4)
            && is(6, "managedClusters")
            && is(8, "providers")
            && is(9, "Microsoft.Insights")
            && is(10, "diagnosticSettings") =>
        {
            Some(Route::Diagnostics { sub: s[1], rg: s[3], name: s[7] })
        }
        _ => None,
    }
}

/// The resource group of an ARM id.
fn resource_group(id: &str) -> Option<&str> {
    let s: Vec<&str> = id.split('/').collect();
    s.windows(2).find(|w| w[0].eq_ignore_ascii_case("resourceGroups")).map(|w| w[1])
}

fn cluster_id(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}")
}

pub async fn handle(
    state: &State,
    method: &axum::http::Method,
    path: &str,
    query: &[(String, String)],
    authorization: Option<&str>,
) -> Response {
    let Some(route) = route(path) else {
        return error(404, "InvalidResourceType", &format!("The resource path '{path}' is not served by this mock."));
    };
    // Actions are POST; everything else GET.
    let want =
        if matches!(route, Route::UserCredential { .. }) { axum::http::Method::POST } else { axum::http::Method::GET };
    if *method != want {
        return error(
            405,
            "MethodNotAllowed",
            &format!("The requested resource does not support http method '{method}'."),
        );
    }
    let Some(token) = state.token(authorization).filter(|t| t.audience == entra::ARM) else {
        return error(401, "InvalidAuthenticationToken", "The access token is invalid.");
    };
    let Some(api_version) = query.iter().find(|(k, _)| k == "api-version").map(|(_, v)| v.as_str()) else {
        return error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        );
    };
    crate::ratelimit::set_caller(crate::ratelimit::Caller {
        tenant: token.tenant_id.clone(),
        principal: token.client_id.clone(),
        ..Default::default()
    });
    let skip = match paging::skip_token(query) {
        Ok(s) => s,
        Err(m) => return error(400, "InvalidSkipToken", &m),
    };
    let ctx = Ctx { state, token: &token, path, api_version, skip };
    match route {
        Route::Subscriptions => ctx.subscriptions().await,
        Route::Clusters { sub, rg } => ctx.clusters(sub, rg).await,
        Route::Cluster { sub, rg, name } => ctx.cluster(sub, rg, name).await,
        Route::Versions { sub, location } => ctx.versions(sub, location).await,
        Route::Diagnostics { sub, rg, name } => ctx.diagnostics(sub, rg, name).await,
        Route::UserCredential { sub, rg, name } => ctx.user_credential(sub, rg, name).await,
        Route::Authz(r) => ctx.authz(r).await,
        Route::Descendants { group } => ctx.descendants(group).await,
    }
}

pub(crate) struct Ctx<'a> {
    pub(crate) state: &'a State,
    token: &'a Token,
    path: &'a str,
    api_version: &'a str,
    skip: usize,
}

impl Ctx<'_> {
    /// A page of `items` with an absolute `nextLink` that carries api-version and skip token.
    pub(crate) fn paged(&self, items: &[Value]) -> Response {
        let size = self.state.opts.page_size;
        let (page, next) = paging::page(items, self.skip, size);
        let mut body = json!({"value": page});
        if let Some(n) = next {
            body["nextLink"] = json!(format!(
                "{}{}?api-version={}&%24skipToken={n}",
                self.state.base_url, self.path, self.api_version
            ));
        }
        Json(body).into_response()
    }

    /// The caller's tenant.
    pub(crate) fn tenant(&self) -> &str {
        &self.token.tenant_id
    }

    pub(crate) fn page_number(&self) -> u32 {
        paging::number(self.skip, self.state.opts.page_size)
    }

    /// The subscription, if it exists and the caller's tenant owns it; else the ARM error.
    pub(crate) fn subscription(&self, id: &str) -> Result<&Subscription, Box<Response>> {
        match self.state.estate.subscription(id) {
            None => Err(Box::new(error(
                404,
                "SubscriptionNotFound",
                &format!("The subscription '{id}' could not be found."),
            ))),
            Some(s) if !s.tenant_id.eq_ignore_ascii_case(&self.token.tenant_id) => Err(Box::new(error(
                401,
                "InvalidAuthenticationTokenTenant",
                &format!(
                    "The access token is from the wrong issuer. It must match the tenant associated with subscription '{id}'."
                ),
            ))),
            Some(s) => Ok(s),
        }
    }

    async fn subscriptions(&self) -> Response {
        let call = Call { op: "listSubscriptions", page: Some(self.page_number()), ..Default::default() };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        let items: Vec<Value> = self
            .state
            .estate
            .azure
            .subscriptions
            .iter()
            .filter(|s| s.tenant_id.eq_ignore_ascii_case(&self.token.tenant_id))
            .map(|s| {
                json!({
                    "id": format!("/subscriptions/{}", s.subscription_id),
                    "authorizationSource": "RoleBased",
                    "subscriptionId": s.subscription_id,
                    "tenantId": s.tenant_id,
                    "displayName": s.display_name.clone().unwrap_or_else(|| s.subscription_id.clone()),
                    "state": s.state,
                    "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "EnterpriseAgreement_2014-09-01", "spendingLimit": "Off"}
                })
            })
            .collect();
        self.paged(&items)
    }

    async fn clusters(&self, sub: &str, rg: Option<&str>) -> Response {
        let call = Call {
            op: "listManagedClusters",
            subscription: Some(sub),
            resource_group: rg,
            page: Some(self.page_number()),
            ..Default::default()
        };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        let s = match self.subscription(sub) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let items: Vec<Value> = s
            .managed_clusters
            .iter()
            .filter(|c| match rg {
                None => true,
                Some(rg) => resource_id(c).and_then(resource_group).is_some_and(|g| g.eq_ignore_ascii_case(rg)),
            })
            .cloned()
            .collect();
        self.paged(&items)
    }

    fn find_cluster<'s>(&self, s: &'s Subscription, id: &str) -> Option<&'s Value> {
        s.managed_clusters.iter().find(|c| resource_id(c).is_some_and(|i| i.eq_ignore_ascii_case(id)))
    }

    async fn cluster(&self, sub: &str, rg: &str, name: &str) -> Response {
        let id = cluster_id(sub, rg, name);
        let call = Call { op: "getManagedCluster", subscription: Some(sub), cluster: Some(&id), ..Default::default() };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        let s = match self.subscription(sub) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        match self.find_cluster(s, &id) {
            Some(c) => Json(c.clone()).into_response(),
            None => not_found(rg, name),
        }
    }

    async fn versions(&self, sub: &str, location: &str) -> Response {
        let call = Call {
            op: "listKubernetesVersions",
            subscription: Some(sub),
            location: Some(location),
            ..Default::default()
        };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        if let Err(r) = self.subscription(sub) {
            return *r;
        }
        let norm = |l: &str| l.replace(' ', "").to_ascii_lowercase();
        match self.state.estate.azure.kubernetes_versions.iter().find(|(k, _)| norm(k) == norm(location)) {
            Some((_, body)) => Json(body.clone()).into_response(),
            None => error(
                400,
                "NoRegisteredProviderFound",
                &format!(
                    "No registered resource provider found for location '{location}' and API version '{}' for type 'locations/kubernetesVersions'.",
                    self.api_version
                ),
            ),
        }
    }

    async fn diagnostics(&self, sub: &str, rg: &str, name: &str) -> Response {
        let id = cluster_id(sub, rg, name);
        let call =
            Call { op: "listDiagnosticSettings", subscription: Some(sub), cluster: Some(&id), ..Default::default() };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        let s = match self.subscription(sub) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        if self.find_cluster(s, &id).is_none() {
            return not_found(rg, name);
        }
        let settings = s.diagnostic_settings.iter().find(|(k, _)| k.eq_ignore_ascii_case(&id)).map(|(_, v)| v.clone());
        Json(json!({"value": settings.unwrap_or_default()})).into_response()
    }
}

impl Ctx<'_> {
    /// `listClusterUserCredential`: a kubeconfig naming the cluster's API on the mock.
    async fn user_credential(&self, sub: &str, rg: &str, name: &str) -> Response {
        let id = cluster_id(sub, rg, name);
        let call =
            Call { op: "listClusterUserCredential", subscription: Some(sub), cluster: Some(&id), ..Default::default() };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        let s = match self.subscription(sub) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let Some(body) = self.find_cluster(s, &id) else { return not_found(rg, name) };
        let real_id = resource_id(body).unwrap_or(&id);
        let kubeconfig = crate::k8s::aks_kubeconfig(self.state, real_id, name);
        Json(json!({"kubeconfigs": [{"name": "clusterUser", "value": crate::k8s::base64(kubeconfig.as_bytes())}]}))
            .into_response()
    }
}

fn not_found(rg: &str, name: &str) -> Response {
    error(
        404,
        "ResourceNotFound",
        &format!(
            "The Resource 'Microsoft.ContainerService/managedClusters/{name}' under resource group '{rg}' was not found."
        ),
    )
}
