//! Management groups (`--management-group ID`): the subscriptions below a group, nested groups
//! included, from `GET /providers/Microsoft.Management/managementGroups/{id}/descendants`.

use super::arm::{ApiClient, ApiError};
use serde::Deserialize;

pub const API_VERSION: &str = "2023-04-01";

/// One item of the descendants list: a management group or a subscription.
#[derive(Debug, Deserialize)]
struct Descendant {
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

/// The ids of the subscriptions below `group`, in the order ARM lists them.
pub async fn subscriptions_below(arm: &ApiClient, group: &str) -> Result<Vec<String>, ApiError> {
    let url = arm.url(&format!(
        "providers/Microsoft.Management/managementGroups/{group}/descendants?api-version={API_VERSION}"
    ))?;
    let items: Vec<Descendant> = arm.list("listManagementGroupDescendants", url).await?;
    let mut out: Vec<String> = Vec::new();
    for d in items {
        let is_sub = d
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("Microsoft.Management/managementGroups/subscriptions"));
        if !is_sub {
            continue;
        }
        // `name` is the subscription id; `id` is `/subscriptions/{id}`.
        let id = d.name.or_else(|| d.id.and_then(|i| i.rsplit('/').next().map(str::to_string)));
        match id {
            Some(id) if !out.iter().any(|o| o.eq_ignore_ascii_case(&id)) => out.push(id),
            Some(_) => {}
            None => {
                return Err(ApiError::Malformed {
                    operation: "listManagementGroupDescendants".into(),
                    page: None,
                    detail: format!("a subscription below management group {group} without name or id"),
                });
            }
        }
    }
    Ok(out)
}
