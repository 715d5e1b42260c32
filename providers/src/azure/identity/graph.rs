//! Microsoft Graph: Conditional Access once per tenant; each group on an admin path once per
//! scan — its direct members (with the terms of each membership), the principals PIM-eligible
//! for it (users or groups) and its PIM-for-Groups policy. Walking the edges is the checks' job.

use super::map;
use super::models::*;
use crate::azure::arm::{ApiClient, ApiError};
use crate::once::OnceMap;
use kubeposture_checks::Field;
use kubeposture_checks::model::{CaPolicy, EntraGroup, Member, PimPolicy, Principal, Terms};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The Graph application permission each call needs, named when it is denied.
fn permission(op: &str) -> &'static str {
    match op {
        "listConditionalAccessPolicies" => "Policy.Read.All",
        "getGroup" | "listGroupMembers" | "listTransitiveMemberOf" => "GroupMember.Read.All",
        "listGroupEligibilitySchedules" => "PrivilegedEligibilitySchedule.Read.AzureADGroup",
        "listGroupAssignmentSchedules" => "PrivilegedAssignmentSchedule.Read.AzureADGroup",
        "listRoleManagementPolicyAssignments" => "RoleManagementPolicy.Read.AzureADGroup",
        _ => "Directory.Read.All",
    }
}

/// An error as the reason of an unknown; a denial names the permission to grant.
pub fn reason(op: &str, e: &ApiError) -> String {
    match e {
        ApiError::Status { status: 401 | 403, .. } => {
            format!("{e} — the Graph application permission {} is needed", permission(op))
        }
        _ => e.to_string(),
    }
}

pub struct Graph {
    pub client: ApiClient,
    ca: OnceCell<Field<Arc<Vec<CaPolicy>>>>,
    groups: OnceMap<String, Arc<EntraGroup>>,
    /// Each user's groups, nested ones included.
    member_of: OnceMap<String, Result<Arc<Vec<String>>, String>>,
}

impl Graph {
    pub fn new(client: ApiClient) -> Self {
        Self { client, ca: OnceCell::new(), groups: OnceMap::default(), member_of: OnceMap::default() }
    }

    async fn list<T: serde::de::DeserializeOwned>(&self, op: &str, path: &str) -> Result<Vec<T>, String> {
        let url = self.client.url(path).map_err(|e| e.to_string())?;
        self.client.list(op, url).await.map_err(|e| reason(op, &e))
    }

    /// The tenant's Conditional Access policies, read once.
    pub async fn conditional_access(&self) -> Field<Arc<Vec<CaPolicy>>> {
        const PATH: &str = "conditionalAccess/policies";
        self.ca
            .get_or_init(|| async {
                match self
                    .list::<CaPolicyBody>("listConditionalAccessPolicies", "v1.0/identity/conditionalAccess/policies")
                    .await
                {
                    Ok(bodies) => {
                        let policies: Vec<CaPolicy> = bodies.iter().map(map::ca_policy).collect();
                        let raw =
                            policies.iter().map(|p| format!("{} ({})", p.name, p.state)).collect::<Vec<_>>().join(", ");
                        Field::value(PATH, Arc::new(policies), format!("[{raw}]"))
                    }
                    Err(why) => Field::unknown(PATH, why),
                }
            })
            .await
            .clone()
    }

    /// Every group a user is in, nested ones included (lower-cased ids), once per user.
    pub async fn member_of(&self, user_id: &str) -> Result<Arc<Vec<String>>, String> {
        let key = user_id.to_ascii_lowercase();
        self.member_of
            .get_or_init(key.clone(), || async move {
                let path = format!("v1.0/users/{key}/transitiveMemberOf?$select=id");
                let objects = self.list::<DirectoryObject>("listTransitiveMemberOf", &path).await?;
                Ok(Arc::new(
                    objects.iter().filter(|o| o.kind() == "Group").map(|o| o.id.to_ascii_lowercase()).collect(),
                ))
            })
            .await
    }

    /// Display names and kinds of directory objects (`directoryObjects/getByIds`).
    pub async fn names(&self, ids: &BTreeSet<String>) -> Result<HashMap<String, DirectoryObject>, String> {
        let mut out = HashMap::new();
        let ids: Vec<&String> = ids.iter().collect();
        for chunk in ids.chunks(1000) {
            let url = self.client.url("v1.0/directoryObjects/getByIds").map_err(|e| e.to_string())?;
            let body = serde_json::json!({"ids": chunk, "types": ["user", "group", "servicePrincipal"]});
            #[derive(serde::Deserialize)]
            struct Objects {
                #[serde(default)]
                value: Vec<DirectoryObject>,
            }
            let got: Objects = self
                .client
                .post_json("getDirectoryObjectsByIds", url, &body)
                .await
                .map_err(|e| reason("getDirectoryObjectsByIds", &e))?;
            out.extend(got.value.into_iter().map(|o| (o.id.to_ascii_lowercase(), o)));
        }
        Ok(out)
    }

    /// A group with its direct edges, read once per scan however many clusters it guards.
    pub async fn group(&self, group: Principal) -> Arc<EntraGroup> {
        self.groups.get_or_init(group.id.to_ascii_lowercase(), || self.read_group(group)).await
    }

    async fn read_group(&self, group: Principal) -> Arc<EntraGroup> {
        let id = group.id.clone();
        let (members, eligible, pim_policy) = tokio::join!(self.members(&id), self.eligible(&id), self.pim_policy(&id));
        let group = match self.display(&group).await {
            Some(named) => named,
            None => group,
        };
        Arc::new(EntraGroup { group, members, eligible, pim_policy })
    }

    /// The group with its display name when the caller did not know it.
    async fn display(&self, group: &Principal) -> Option<Principal> {
        if group.display_name.is_some() {
            return None;
        }
        let url = self.client.url(&format!("v1.0/groups/{}?$select=id,displayName", group.id)).ok()?;
        let g: DirectoryObject = self.client.get_json("getGroup", url).await.ok()?;
        Some(Principal { display_name: g.display_name, kind: "Group".into(), ..group.clone() })
    }

    /// Direct active members and the terms of each (PIM assignment schedules; a member no
    /// schedule mentions is a plain, permanent member). Terms are unknown when the schedules
    /// could not be read.
    async fn members(&self, group_id: &str) -> Field<Vec<Member>> {
        let path = format!("groups[{group_id}].members");
        let members_path = format!("v1.0/groups/{group_id}/members?$select=id,displayName");
        let schedules_path = format!(
            "v1.0/identityGovernance/privilegedAccess/group/assignmentSchedules?$filter=groupId eq '{group_id}'"
        );
        let (members, schedules) = tokio::join!(
            self.list::<DirectoryObject>("listGroupMembers", &members_path),
            self.list::<GroupSchedule>("listGroupAssignmentSchedules", &schedules_path),
        );
        let members = match members {
            Ok(m) => m,
            Err(why) => return Field::unknown(path, why),
        };
        let terms_path = format!("groups[{group_id}].assignmentSchedules");
        let terms = |id: &str| match &schedules {
            Ok(list) => {
                let t = list
                    .iter()
                    .filter(|s| s.access_id.as_deref().is_none_or(|a| a.eq_ignore_ascii_case("member")))
                    .find(|s| s.principal_id.eq_ignore_ascii_case(id))
                    .map(map::schedule_terms)
                    .unwrap_or(Terms::Permanent);
                let raw = t.describe();
                Field::value(terms_path.clone(), t, raw)
            }
            Err(why) => Field::unknown(terms_path.clone(), format!("their PIM terms: {why}")),
        };
        let out: Vec<Member> = members
            .iter()
            .map(|m| Member {
                principal: map::principal(&m.id, Some(&m.kind()), m.display_name.as_deref()),
                terms: terms(&m.id),
            })
            .collect();
        let raw = out.iter().map(|m| m.principal.label()).collect::<Vec<_>>().join(", ");
        Field::value(path, out, format!("[{raw}]"))
    }

    /// Principals PIM-eligible for the group's `member` role, with their kind (from the
    /// expanded `principal`, else `getByIds`; `Unknown` when neither said).
    async fn eligible(&self, group_id: &str) -> Field<Vec<Member>> {
        let path = format!("groups[{group_id}].eligibilitySchedules");
        let list = format!(
            "v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=groupId eq '{group_id}'&$expand=principal"
        );
        let schedules = match self.list::<GroupSchedule>("listGroupEligibilitySchedules", &list).await {
            Ok(s) => s,
            Err(why) => return Field::unknown(path, why),
        };
        let schedules: Vec<&GroupSchedule> = schedules
            .iter()
            .filter(|s| s.access_id.as_deref().is_none_or(|a| a.eq_ignore_ascii_case("member")))
            .collect();
        let missing: BTreeSet<String> = schedules
            .iter()
            .filter(|s| s.principal.as_ref().is_none_or(|p| p.odata_type.is_none()))
            .map(|s| s.principal_id.to_ascii_lowercase())
            .collect();
        // Kinds decide what is expanded; names are for evidence.
        let names = if missing.is_empty() { HashMap::new() } else { self.names(&missing).await.unwrap_or_default() };
        let mut out: Vec<Member> = vec![];
        for s in schedules {
            let id = s.principal_id.to_ascii_lowercase();
            if out.iter().any(|m| m.principal.id.eq_ignore_ascii_case(&id)) {
                continue;
            }
            let object = s.principal.as_ref().filter(|p| p.odata_type.is_some()).or_else(|| names.get(&id));
            let principal = match object {
                Some(o) => map::principal(&s.principal_id, Some(&o.kind()), o.display_name.as_deref()),
                None => map::principal(&s.principal_id, None, None),
            };
            let t = map::eligibility_terms(s);
            let raw = t.describe();
            out.push(Member { principal, terms: Field::value(format!("{path}[{id}]"), t, raw) });
        }
        out.sort_by(|a, b| a.principal.id.cmp(&b.principal.id));
        let raw = out.iter().map(|m| m.principal.label()).collect::<Vec<_>>().join(", ");
        Field::value(path, out, format!("[{raw}]"))
    }

    async fn pim_policy(&self, group_id: &str) -> Field<PimPolicy> {
        let path = format!("groups[{group_id}].roleManagementPolicy[member]");
        let list = format!(
            "v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '{group_id}' and scopeType eq 'Group' and roleDefinitionId eq 'member'&$expand=policy($expand=rules)"
        );
        match self.list::<PolicyAssignment>("listRoleManagementPolicyAssignments", &list).await {
            Ok(assignments) => match map::pim_policy(&path, &assignments) {
                Some(p) => {
                    let raw = format!(
                        "maximumDuration {}, approval {}, rules {:?}",
                        p.max_activation.as_deref().unwrap_or("(absent)"),
                        p.approval_required.map(|b| b.to_string()).unwrap_or_else(|| "(absent)".into()),
                        p.activation_rules
                    );
                    Field::value(path, p, raw)
                }
                None => Field::absent(path),
            },
            Err(why) => Field::unknown(path, why),
        }
    }
}
