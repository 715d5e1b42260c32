//! ARM management groups: `GET /providers/Microsoft.Management/managementGroups/{id}/descendants`
//! (paged by `nextLink`): every management group and subscription below a group, each with its
//! parent. A tenant's root group is named after the tenant id.

use crate::arm::{Ctx, denied, error};
use crate::estate::{Azure, Estate};
use crate::faults::Call;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A management group of the estate (`azure.managementGroups`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagementGroup {
    /// The group id (`name` in ARM), unique.
    pub name: String,
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// The parent group's name; none: the tenant root group.
    #[serde(default)]
    pub parent: Option<String>,
}

const PREFIX: &str = "/providers/Microsoft.Management/managementGroups/";

/// The group a subscription or group sits in: its `parent`/`managementGroup`, else the tenant
/// root group (named after the tenant).
fn parent_of<'a>(parent: Option<&'a str>, tenant: &'a str) -> &'a str {
    parent.unwrap_or(tenant)
}

/// Descendants of `group` in breadth-first order: groups, then the subscriptions of each level.
pub fn descendants(azure: &Azure, tenant: &str, group: &str) -> Vec<Value> {
    let groups: Vec<&ManagementGroup> =
        azure.management_groups.iter().filter(|g| g.tenant_id.eq_ignore_ascii_case(tenant)).collect();
    let mut out = Vec::new();
    let mut level = vec![group.to_string()];
    let mut seen = BTreeSet::new();
    while !level.is_empty() {
        let mut next = Vec::new();
        for parent in &level {
            if !seen.insert(parent.to_ascii_lowercase()) {
                continue;
            }
            let parent_id = format!("{PREFIX}{parent}");
            for g in groups.iter().filter(|g| parent_of(g.parent.as_deref(), tenant).eq_ignore_ascii_case(parent)) {
                out.push(json!({
                    "name": g.name,
                    "type": "Microsoft.Management/managementGroups",
                    "id": format!("{PREFIX}{}", g.name),
                    "properties": {"displayName": g.display_name.clone().unwrap_or_else(|| g.name.clone()), "parent": {"id": parent_id}},
                }));
                next.push(g.name.clone());
            }
            let subs = azure.subscriptions.iter().filter(|s| {
                s.tenant_id.eq_ignore_ascii_case(tenant)
                    && parent_of(s.management_group.as_deref(), tenant).eq_ignore_ascii_case(parent)
            });
            for s in subs {
                out.push(json!({
                    "name": s.subscription_id,
                    "type": "Microsoft.Management/managementGroups/subscriptions",
                    "id": format!("/subscriptions/{}", s.subscription_id),
                    "properties": {"displayName": s.display_name.clone().unwrap_or_else(|| s.subscription_id.clone()), "parent": {"id": parent_id}},
                }));
            }
        }
        level = next;
    }
    out
}

/// Checks the `managementGroups` section: unique names, known tenants and parents, no cycles,
/// and subscriptions naming groups of their own tenant.
pub fn validate(estate: &Estate) -> Result<(), String> {
    let azure = &estate.azure;
    let mut names = BTreeSet::new();
    for g in &azure.management_groups {
        if !names.insert(g.name.to_ascii_lowercase()) {
            return Err(format!("management group {} is listed twice", g.name));
        }
        if estate.tenant(&g.tenant_id).is_none() {
            return Err(format!(
                "management group {} names tenant {}, which is not under entra.tenants",
                g.name, g.tenant_id
            ));
        }
    }
    let find = |name: &str| azure.management_groups.iter().find(|g| g.name.eq_ignore_ascii_case(name));
    for g in &azure.management_groups {
        let mut at = g;
        for _ in 0..=azure.management_groups.len() {
            let Some(parent) = at.parent.as_deref() else { break };
            if parent.eq_ignore_ascii_case(&g.tenant_id) {
                break;
            }
            match find(parent) {
                Some(p) if p.tenant_id.eq_ignore_ascii_case(&g.tenant_id) => at = p,
                _ => return Err(format!("management group {}: parent {parent} is not a group of its tenant", g.name)),
            }
            if at.name.eq_ignore_ascii_case(&g.name) {
                return Err(format!("management group {} is its own ancestor", g.name));
            }
        }
    }
    for s in &azure.subscriptions {
        let Some(mg) = s.management_group.as_deref() else { continue };
        let ok = mg.eq_ignore_ascii_case(&s.tenant_id)
            || find(mg).is_some_and(|g| g.tenant_id.eq_ignore_ascii_case(&s.tenant_id));
        if !ok {
            return Err(format!(
                "subscription {} names management group {mg}, which is not a group of tenant {}",
                s.subscription_id, s.tenant_id
            ));
        }
    }
    Ok(())
}

impl Ctx<'_> {
    pub(crate) async fn descendants(&self, group: &str) -> Response {
        let tenant = self.tenant().to_string();
        let call = Call {
            op: "listManagementGroupDescendants",
            tenant: Some(&tenant),
            page: Some(self.page_number()),
            ..Default::default()
        };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        let azure = &self.state.estate.azure;
        let known = group.eq_ignore_ascii_case(&tenant)
            || azure
                .management_groups
                .iter()
                .any(|g| g.name.eq_ignore_ascii_case(group) && g.tenant_id.eq_ignore_ascii_case(&tenant));
        if !known {
            return error(
                403,
                "AuthorizationFailed",
                &format!(
                    "The client does not have authorization to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope '{PREFIX}{group}' or the scope is invalid. If access was recently granted, please refresh your credentials."
                ),
            );
        }
        self.paged(&descendants(azure, &tenant, group))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESTATE: &str = r#"
estate: v1
entra: {tenants: [{tenantId: t1}, {tenantId: t2}]}
azure:
  managementGroups:
    - {name: platform, tenantId: t1}
    - {name: prod, tenantId: t1, parent: platform, displayName: Production}
    - {name: other, tenantId: t2}
  subscriptions:
    - {subscriptionId: s-root, tenantId: t1}
    - {subscriptionId: s-platform, tenantId: t1, managementGroup: platform}
    - {subscriptionId: s-prod, tenantId: t1, managementGroup: prod, displayName: Prod 1}
    - {subscriptionId: s-other, tenantId: t2, managementGroup: other}
"#;

    fn ids(v: &[Value]) -> Vec<&str> {
        v.iter().map(|d| d["id"].as_str().unwrap()).collect()
    }

    #[test]
    fn descendants_are_every_group_and_subscription_below() {
        let e = Estate::from_yaml(ESTATE).unwrap();
        let below_platform = descendants(&e.azure, "t1", "platform");
        assert_eq!(
            ids(&below_platform),
            [
                "/providers/Microsoft.Management/managementGroups/prod",
                "/subscriptions/s-platform",
                "/subscriptions/s-prod"
            ]
        );
        assert_eq!(
            below_platform[2]["properties"]["parent"]["id"],
            "/providers/Microsoft.Management/managementGroups/prod"
        );
        assert_eq!(below_platform[2]["type"], "Microsoft.Management/managementGroups/subscriptions");
        let root = descendants(&e.azure, "t1", "t1");
        assert_eq!(ids(&root).len(), 5, "{root:?}");
        assert!(!ids(&root).contains(&"/subscriptions/s-other"));
    }

    #[test]
    fn validation_names_bad_parents_and_groups() {
        let bad = ESTATE.replace("parent: platform", "parent: nowhere");
        assert!(Estate::from_yaml(&bad).unwrap_err().to_string().contains("parent nowhere"));
        let cross = ESTATE.replace("managementGroup: other", "managementGroup: prod");
        assert!(Estate::from_yaml(&cross).unwrap_err().to_string().contains("s-other"));
        let cycle =
            ESTATE.replace("- {name: platform, tenantId: t1}", "- {name: platform, tenantId: t1, parent: prod}");
        assert!(Estate::from_yaml(&cycle).unwrap_err().to_string().contains("ancestor"));
    }
}
