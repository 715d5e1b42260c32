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
        Self { assignments, eligible, active, assignments_by_scope, eligible_by_scope }
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

    /// The schedule instance standing for an active assignment.
    pub fn instance_of(&self, a: &RoleAssignment) -> Result<Option<&AssignmentProperties>, &ApiError> {
        let active = self.active.as_ref()?;
        let p = a.properties.as_ref();
        Ok(active.iter().filter_map(|i| i.properties.as_ref()).find(|i| {
            i.origin_role_assignment_id.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&a.id))
                || p.is_some_and(|p| {
                    i.principal_id.eq_ignore_ascii_case(&p.principal_id)
                        && map::role_guid(&i.role_definition_id) == map::role_guid(&p.role_definition_id)
                        && i.scope.eq_ignore_ascii_case(&p.scope)
                })
        }))
    }
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
