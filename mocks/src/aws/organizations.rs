//! AWS Organizations (awsJson1_1: `POST /`, `X-Amz-Target: AWSOrganizationsV20161128.OP`, JSON
//! bodies): `ListAccounts`, `ListAccountsForParent`, `ListOrganizationalUnitsForParent` and
//! `ListRoots`, for the management account and delegated administrators. Lists page with
//! `MaxResults` (1–20) and `NextToken`.

use super::Ctx;
use super::estate::s;
use crate::faults::Call;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub const ACTIONS: &[&str] =
    &["ListAccounts", "ListAccountsForParent", "ListOrganizationalUnitsForParent", "ListRoots"];

/// Organizations answers at most 20 items a page.
const MAX_PAGE: usize = 20;

/// `X-Amz-Target` prefix.
pub const TARGET_PREFIX: &str = "AWSOrganizationsV20161128.";

/// The estate's `aws.organization`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Organization {
    /// `o-` + 10 to 32 lowercase letters or digits.
    pub id: String,
    pub management_account_id: String,
    /// `r-` + 4 to 32 characters; default `r-` + the first 4 characters after `o-`.
    #[serde(default)]
    pub root_id: Option<String>,
    /// Accounts registered as delegated administrators: they may list the organization too.
    #[serde(default)]
    pub delegated_administrators: Vec<String>,
    /// `{Id, Name, Parent}`: `Parent` is the root id or another OU's id.
    #[serde(default)]
    pub organizational_units: Vec<Value>,
    /// Organizations `Account` objects (AWS CLI shape: `Id`, `Name`, `Email`, `Status`, …) plus
    /// `Parent` (root or OU id, default the root). `Arn`, `State`, `JoinedMethod` and
    /// `JoinedTimestamp` are filled in when left out.
    #[serde(default)]
    pub accounts: Vec<Value>,
}

impl Organization {
    pub fn root(&self) -> String {
        self.root_id.clone().unwrap_or_else(|| {
            let tail: String = self.id.trim_start_matches("o-").chars().take(4).collect();
            format!("r-{tail}")
        })
    }

    fn parent_of(&self, v: &Value) -> String {
        s(v, "Parent").map(str::to_string).unwrap_or_else(|| self.root())
    }

    /// Checks ids and parents, fills in what the service always sends.
    pub fn prepare(&mut self) -> Result<(), String> {
        let at = "aws.organization";
        if !self.id.starts_with("o-") {
            return Err(format!("{at}.id: {} is not an organization id (o-…)", self.id));
        }
        let root = self.root();
        let mut parents: BTreeSet<String> = [root.clone()].into();
        for (i, ou) in self.organizational_units.iter().enumerate() {
            let id = s(ou, "Id").filter(|i| i.starts_with("ou-"));
            let Some(id) = id else { return Err(format!("{at}.organizationalUnits[{i}]: Id (ou-…) is required")) };
            if !parents.insert(id.to_string()) {
                return Err(format!("{at}.organizationalUnits[{i}]: {id} is listed twice"));
            }
        }
        for (i, ou) in self.organizational_units.iter().enumerate() {
            let parent = self.parent_of(ou);
            if !parents.contains(&parent) {
                return Err(format!("{at}.organizationalUnits[{i}]: Parent {parent} is neither the root nor an OU"));
            }
        }
        let (org, mgmt) = (self.id.clone(), self.management_account_id.clone());
        let mut ids = BTreeSet::new();
        for (i, a) in self.accounts.iter_mut().enumerate() {
            let id = s(a, "Id").filter(|i| i.len() == 12 && i.bytes().all(|b| b.is_ascii_digit())).map(str::to_string);
            let Some(id) = id else { return Err(format!("{at}.accounts[{i}]: Id (12 digits) is required")) };
            if !ids.insert(id.clone()) {
                return Err(format!("{at}.accounts[{i}]: {id} is listed twice"));
            }
            let parent = s(a, "Parent").map(str::to_string).unwrap_or_else(|| root.clone());
            if !parents.contains(&parent) {
                return Err(format!("{at}.accounts[{id}]: Parent {parent} is neither the root nor an OU"));
            }
            let Some(m) = a.as_object_mut() else { return Err(format!("{at}.accounts[{i}] is not an object")) };
            let status = m.get("Status").and_then(Value::as_str).unwrap_or("ACTIVE").to_string();
            m.entry("Status").or_insert_with(|| json!(status));
            m.entry("State").or_insert_with(|| json!(status));
            m.entry("Arn").or_insert_with(|| json!(format!("arn:aws:organizations::{mgmt}:account/{org}/{id}")));
            m.entry("Name").or_insert_with(|| json!(id));
            m.entry("Email").or_insert_with(|| json!(format!("aws+{id}@example.com")));
            m.entry("JoinedMethod").or_insert_with(|| json!(if id == mgmt { "CREATED" } else { "INVITED" }));
            m.entry("JoinedTimestamp").or_insert_with(|| json!(1_704_067_200.0));
        }
        if !ids.contains(&self.management_account_id) {
            return Err(format!("{at}: the management account {} is not under accounts", self.management_account_id));
        }
        Ok(())
    }
}

pub async fn handle(ctx: &Ctx<'_>) -> Response {
    let r = match ctx.action {
        "ListAccounts" => list_accounts(ctx).await,
        "ListAccountsForParent" => list_for_parent(ctx, "Accounts").await,
        "ListOrganizationalUnitsForParent" => list_for_parent(ctx, "OrganizationalUnits").await,
        _ => list_roots(ctx).await,
    };
    r.unwrap_or_else(|e| e)
}

/// The organization, if the caller may read it: its management account or a delegated
/// administrator.
fn organization<'a>(ctx: &'a Ctx<'_>) -> Result<&'a Organization, Response> {
    let caller = ctx.identity.account.as_str();
    let org = ctx.state.estate.aws.organization.as_ref();
    let member = org.is_some_and(|o| o.accounts.iter().any(|a| s(a, "Id") == Some(caller)));
    let Some(org) = org.filter(|_| member) else {
        return Err(ctx.error(
            400,
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
        ));
    };
    if org.management_account_id != caller && !org.delegated_administrators.iter().any(|d| d == caller) {
        return Err(ctx.error(400, "AccessDeniedException", "You don't have permissions to access this resource."));
    }
    Ok(org)
}

fn page(ctx: &Ctx<'_>, key: &str, items: &[Value], start: usize, size: usize) -> Value {
    let (items, next) = ctx.page(items, start, size);
    let mut body = json!({ key: items });
    if let Some(n) = next {
        body["NextToken"] = json!(n);
    }
    body
}

/// An account as the API returns it (without the estate's `Parent`).
fn wire(a: &Value) -> Value {
    let mut a = a.clone();
    if let Some(m) = a.as_object_mut() {
        m.remove("Parent");
    }
    a
}

async fn list_accounts(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let (start, size) = ctx.gate_paged(ctx.call(), "NextToken", ("MaxResults", 1, MAX_PAGE)).await?;
    let org = organization(ctx)?;
    let items: Vec<Value> = org.accounts.iter().map(wire).collect();
    Ok(ctx.json(page(ctx, "Accounts", &items, start, size.min(MAX_PAGE))))
}

async fn list_for_parent(ctx: &Ctx<'_>, key: &str) -> Result<Response, Response> {
    let parent = ctx.required("ParentId")?.to_string();
    let call = Call { resource: Some(&parent), ..ctx.call() };
    let (start, size) = ctx.gate_paged(call, "NextToken", ("MaxResults", 1, MAX_PAGE)).await?;
    let size = size.min(MAX_PAGE);
    let org = organization(ctx)?;
    let known = parent == org.root() || org.organizational_units.iter().any(|ou| s(ou, "Id") == Some(&parent));
    if !known {
        return Err(ctx.error(
            400,
            "ParentNotFoundException",
            "We can't find a root or OU with the ParentId that you specified.",
        ));
    }
    let items: Vec<Value> = if key == "Accounts" {
        org.accounts.iter().filter(|a| org.parent_of(a) == parent).map(wire).collect()
    } else {
        org.organizational_units
            .iter()
            .filter(|ou| org.parent_of(ou) == parent)
            .map(|ou| {
                let id = s(ou, "Id").unwrap_or_default();
                json!({
                    "Id": id,
                    "Arn": format!("arn:aws:organizations::{}:ou/{}/{id}", org.management_account_id, org.id),
                    "Name": s(ou, "Name").unwrap_or(id),
                })
            })
            .collect()
    };
    Ok(ctx.json(page(ctx, key, &items, start, size)))
}

async fn list_roots(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let (start, size) = ctx.gate_paged(ctx.call(), "NextToken", ("MaxResults", 1, MAX_PAGE)).await?;
    let org = organization(ctx)?;
    let root = org.root();
    let items = [json!({
        "Id": root,
        "Arn": format!("arn:aws:organizations::{}:root/{}/{root}", org.management_account_id, org.id),
        "Name": "Root",
        "PolicyTypes": [],
    })];
    Ok(ctx.json(page(ctx, "Roots", &items, start, size)))
}
