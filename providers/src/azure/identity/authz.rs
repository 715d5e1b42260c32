//! ARM authorization, read once per subscription and indexed by scope: role assignments, PIM
//! for Azure resources (eligible and active schedule instances); role definitions once each.

use super::map;
use super::models::*;
use crate::azure::arm::{ApiClient, ApiError};
use crate::once::OnceMap;
use kubeposture_checks::Field;
use kubeposture_checks::model::RoleDefinition;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;

pub const ROLE_ASSIGNMENTS_API: &str = "2022-04-01";
pub const PIM_API: &str = "2020-10-01";

/// A subscription's authorization facts, indexed by scope.
pub struct SubscriptionAuthz {
    pub assignments: Result<Vec<RoleAssignment>, ApiError>,
    pub eligible: Result<Vec<ScheduleInstance>, ApiError>,
    /// Active schedule instances: they tell permanent from time-bound assignments.
    pub active: Result<Vec<ScheduleInstance>, ApiError>,
    assignments_by_scope: ScopeIndex,
    eligible_by_scope: ScopeIndex,
    /// Active instances by the role assignment they stand for (`originRoleAssignmentId`,
    /// lower-cased).
    active_by_origin: HashMap<String, Vec<usize>>,
}

/// Positions of items by their scope (lower-cased); management-group and root scopes, which
/// apply to every resource of the subscription, apart.
#[derive(Default)]
struct ScopeIndex {
    by_scope: HashMap<String, Vec<usize>>,
    inherited: Vec<usize>,
}

impl ScopeIndex {
    fn new<'a>(scopes: impl Iterator<Item = Option<&'a str>>) -> Self {
        let mut index = ScopeIndex::default();
        for (i, scope) in scopes.enumerate() {
            let Some(scope) = scope else { continue };
            let key = scope.trim_end_matches('/').to_ascii_lowercase();
            if key.is_empty() || key.starts_with("/providers/microsoft.management/managementgroups/") {
                index.inherited.push(i);
            } else {
                index.by_scope.entry(key).or_default().push(i);
            }
        }
        index
    }

    /// The items whose scope covers `id`: each ancestor of it looked up, not every item scanned.
    fn covering(&self, id: &str) -> Vec<usize> {
        let id = id.trim_end_matches('/').to_ascii_lowercase();
        let mut out = self.inherited.clone();
        let mut at = id.as_str();
        loop {
            if let Some(hits) = self.by_scope.get(at) {
                out.extend(hits);
            }
            match at.rfind('/') {
                Some(0) | None => break,
                Some(i) => at = &at[..i],
            }
        }
        out.sort_unstable();
        out
    }
}

impl SubscriptionAuthz {
    fn new(
        assignments: Result<Vec<RoleAssignment>, ApiError>,
        eligible: Result<Vec<ScheduleInstance>, ApiError>,
        active: Result<Vec<ScheduleInstance>, ApiError>,
    ) -> Self {
        let assignments_by_scope =
            ScopeIndex::new(assignments.iter().flatten().map(|a| a.properties.as_ref().map(|p| p.scope.as_str())));
        let eligible_by_scope =
            ScopeIndex::new(eligible.iter().flatten().map(|e| e.properties.as_ref().map(|p| p.scope.as_str())));
        let mut active_by_origin: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, inst) in active.iter().flatten().enumerate() {
            if let Some(origin) = inst.properties.as_ref().and_then(|p| p.origin_role_assignment_id.as_deref()) {
                active_by_origin.entry(id_key(origin)).or_default().push(i);
            }
        }
        Self { assignments, eligible, active, assignments_by_scope, eligible_by_scope, active_by_origin }
    }

    /// Active assignments on scopes covering `id`.
    pub fn assignments_covering(&self, id: &str) -> Result<Vec<&RoleAssignment>, &ApiError> {
        let all = self.assignments.as_ref()?;
        Ok(self.assignments_by_scope.covering(id).into_iter().filter_map(|i| all.get(i)).collect())
    }

    /// PIM-eligible assignments on scopes covering `id`.
    pub fn eligible_covering(&self, id: &str) -> Result<Vec<&ScheduleInstance>, &ApiError> {
        let all = self.eligible.as_ref()?;
        Ok(self.eligible_by_scope.covering(id).into_iter().filter_map(|i| all.get(i)).collect())
    }

    /// The schedule instance standing for an active assignment: the one whose
    /// `originRoleAssignmentId` is the assignment's id — never one that merely has the same
    /// principal, role and scope (a stale activation or another assignment's instance). With
    /// several, the most standing (no end) wins; none means a plain, permanent assignment.
    pub fn instance_of(&self, a: &RoleAssignment) -> Result<Option<&AssignmentProperties>, &ApiError> {
        let active = self.active.as_ref()?;
        let found = self.active_by_origin.get(&id_key(&a.id)).into_iter().flatten();
        let mut best: Option<&AssignmentProperties> = None;
        for p in found.filter_map(|&i| active.get(i)).filter_map(|i| i.properties.as_ref()) {
            if best.is_none() || p.end_date_time.is_none() {
                best = Some(p);
            }
        }
        Ok(best)
    }
}

/// ARM ids compare without regard to case or a trailing slash.
fn id_key(id: &str) -> String {
    id.trim().trim_end_matches('/').to_ascii_lowercase()
}

pub struct Authz {
    pub arm: ApiClient,
    subscriptions: OnceMap<String, Arc<SubscriptionAuthz>>,
    definitions: OnceMap<String, Field<Arc<RoleDefinition>>>,
}

impl Authz {
    pub fn new(arm: ApiClient) -> Self {
        Self { arm, subscriptions: OnceMap::default(), definitions: OnceMap::default() }
    }

    async fn list<T: DeserializeOwned>(&self, op: &str, path: String) -> Result<Vec<T>, ApiError> {
        let url = self.arm.url(&path)?;
        self.arm.list(op, url).await
    }

    pub async fn subscription(&self, sub: &str) -> Arc<SubscriptionAuthz> {
        self.subscriptions
            .get_or_init(sub.to_ascii_lowercase(), || async {
                let base = format!("subscriptions/{sub}/providers/Microsoft.Authorization");
                let (assignments, eligible, active) = tokio::join!(
                    self.list(
                        "listRoleAssignments",
                        format!("{base}/roleAssignments?api-version={ROLE_ASSIGNMENTS_API}")
                    ),
                    self.list(
                        "listRoleEligibilityScheduleInstances",
                        format!("{base}/roleEligibilityScheduleInstances?api-version={PIM_API}")
                    ),
                    self.list(
                        "listRoleAssignmentScheduleInstances",
                        format!("{base}/roleAssignmentScheduleInstances?api-version={PIM_API}")
                    ),
                );
                Arc::new(SubscriptionAuthz::new(assignments, eligible, active))
            })
            .await
    }

    /// A role definition by GUID, fetched once per scan.
    pub async fn definition(&self, sub: &str, role_definition_id: &str) -> Field<Arc<RoleDefinition>> {
        let guid = map::role_guid(role_definition_id);
        let path = format!("roleDefinitions[{guid}]");
        self.definitions
            .get_or_init(guid.clone(), || async {
                let url = self.arm.url(&format!(
                    "subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}?api-version={ROLE_ASSIGNMENTS_API}"
                ));
                let got = match url {
                    Ok(u) => self.arm.get_json::<RoleDefinitionBody>("getRoleDefinition", u).await,
                    Err(e) => Err(e),
                };
                match got {
                    Ok(body) => {
                        let def = map::role_definition(&guid, &body);
                        let raw = def.name.clone();
                        Field::value(path, Arc::new(def), raw)
                    }
                    Err(e) => Field::unknown(path, e.to_string()),
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instances(json: serde_json::Value) -> Vec<ScheduleInstance> {
        serde_json::from_value(json).unwrap()
    }

    /// An instance with the same principal, role and scope but another origin is not the
    /// assignment's: a stale activation must not make a permanent assignment look time-bound.
    #[test]
    fn instances_match_assignments_by_origin_id() {
        let scope = "/subscriptions/s/resourceGroups/rg";
        let role =
            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
        let a: RoleAssignment = serde_json::from_value(serde_json::json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/a1"),
            "name": "a1",
            "properties": {"roleDefinitionId": role, "principalId": "p", "scope": scope}
        }))
        .unwrap();
        let active = instances(serde_json::json!([
            {"name": "i0", "properties": {"roleDefinitionId": role, "principalId": "p", "scope": scope,
                "endDateTime": "2020-01-01T00:00:00Z", "assignmentType": "Activated",
                "originRoleAssignmentId": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/old")}},
            {"name": "i1", "properties": {"roleDefinitionId": role, "principalId": "p", "scope": scope,
                "endDateTime": null, "assignmentType": "Assigned",
                "originRoleAssignmentId": format!("{}/providers/Microsoft.Authorization/roleAssignments/A1/", scope.to_uppercase())}}
        ]));
        let facts = SubscriptionAuthz::new(Ok(vec![]), Ok(vec![]), Ok(active));
        let got = facts.instance_of(&a).unwrap().expect("matched by id");
        assert_eq!(got.end_date_time, None);
        assert_eq!(map::active_terms(Some(got)), kubeposture_checks::model::Terms::Permanent);
        // Only the stale instance: no instance is the assignment's, so it is a plain one.
        let stale = instances(serde_json::json!([{"name": "i0", "properties": {"roleDefinitionId": role,
            "principalId": "p", "scope": scope, "endDateTime": "2020-01-01T00:00:00Z",
            "originRoleAssignmentId": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/old")}}]));
        let facts = SubscriptionAuthz::new(Ok(vec![]), Ok(vec![]), Ok(stale));
        assert!(facts.instance_of(&a).unwrap().is_none());
    }

    #[test]
    fn the_index_finds_exactly_the_covering_scopes() {
        let scopes = [
            Some("/subscriptions/S"),
            Some("/subscriptions/s/resourceGroups/rg"),
            Some("/subscriptions/s/resourceGroups/rg2"),
            Some("/providers/Microsoft.Management/managementGroups/root"),
            Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c"),
            Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c2"),
            None,
        ];
        let index = ScopeIndex::new(scopes.into_iter());
        let id = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/c";
        assert_eq!(index.covering(id), vec![0, 1, 3, 4]);
        for (i, scope) in scopes.iter().enumerate() {
            let Some(scope) = scope else { continue };
            assert_eq!(index.covering(id).contains(&i), map::covers(scope, id), "{scope}");
        }
    }
}
