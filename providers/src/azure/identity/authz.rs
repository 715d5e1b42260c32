//! ARM authorization, read once per subscription and indexed by scope: role assignments, PIM
//! for Azure resources (eligible and active schedule instances); role definitions once each.

use super::map;
use super::models::*;
use crate::azure::arm::{ApiClient, ApiError};
use crate::once::OnceMap;
use kubeposture_checks::Field;
use kubeposture_checks::model::RoleDefinition;
use serde::de::DeserializeOwned;
use std::sync::Arc;

pub const ROLE_ASSIGNMENTS_API: &str = "2022-04-01";
pub const PIM_API: &str = "2020-10-01";

/// A subscription's authorization facts.
pub struct SubscriptionAuthz {
    pub assignments: Result<Vec<RoleAssignment>, ApiError>,
    pub eligible: Result<Vec<ScheduleInstance>, ApiError>,
    /// Active schedule instances: they tell permanent from time-bound assignments.
    pub active: Result<Vec<ScheduleInstance>, ApiError>,
}

impl SubscriptionAuthz {
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
                    self.list("listRoleAssignments", format!("{base}/roleAssignments?api-version={ROLE_ASSIGNMENTS_API}")),
                    self.list(
                        "listRoleEligibilityScheduleInstances",
                        format!("{base}/roleEligibilityScheduleInstances?api-version={PIM_API}")
                    ),
                    self.list(
                        "listRoleAssignmentScheduleInstances",
                        format!("{base}/roleAssignmentScheduleInstances?api-version={PIM_API}")
                    ),
                );
                Arc::new(SubscriptionAuthz { assignments, eligible, active })
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
