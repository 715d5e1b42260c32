//! Microsoft Graph: Conditional Access once per tenant; each admin group once per scan — its
//! members (transitively, with the terms of every link), PIM-for-Groups eligibility and policy.

use super::map;
use super::models::*;
use crate::azure::arm::{ApiClient, ApiError};
use crate::once::OnceMap;
use kubeposture_checks::Field;
use kubeposture_checks::model::{AdminGroup, CaPolicy, GroupMember, Link, PimPolicy, Principal, Terms};
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

/// A group's direct active members, each with the terms of its membership.
type Direct = Result<Arc<Vec<(Principal, Terms)>>, String>;

/// Nested groups deeper than this are not followed (Entra allows cycles through dynamic rules).
const MAX_DEPTH: usize = 16;

pub struct Graph {
    pub client: ApiClient,
    ca: OnceCell<Field<Arc<Vec<CaPolicy>>>>,
    groups: OnceMap<String, Arc<AdminGroup>>,
    /// Each group's direct members and the terms of each membership.
    memberships: OnceMap<String, Direct>,
    /// Each user's groups, nested ones included.
    member_of: OnceMap<String, Result<Arc<Vec<String>>, String>>,
}

impl Graph {
    pub fn new(client: ApiClient) -> Self {
        Self {
            client,
            ca: OnceCell::new(),
            groups: OnceMap::default(),
            memberships: OnceMap::default(),
            member_of: OnceMap::default(),
        }
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

    /// An admin group expanded, once per scan however many clusters it guards.
    pub async fn admin_group(&self, group: Principal) -> Arc<AdminGroup> {
        self.groups.get_or_init(group.id.to_ascii_lowercase(), || self.expand(group)).await
    }

    async fn expand(&self, group: Principal) -> Arc<AdminGroup> {
        let id = group.id.clone();
        let (members, eligible, pim_policy) =
            tokio::join!(self.members(&group), self.eligible(&id), self.pim_policy(&id));
        let group = match self.display(&group).await {
            Some(named) => named,
            None => group,
        };
        Arc::new(AdminGroup { group, members, eligible, pim_policy })
    }

    /// The group with its display name when the caller did not know it.
    async fn display(&self, group: &Principal) -> Option<Principal> {
        if group.display_name.is_some() {
            return None;
        }
        let url = self.client.url(&format!("v1.0/groups/{}?$select=id,displayName", group.id)).ok()?;
        let g: DirectoryObject = self.client.get_json("getGroup", url).await.ok()?;
        Some(Principal { display_name: g.display_name, ..group.clone() })
    }

    /// Active members, transitively, each with the chain of memberships that makes it one.
    async fn members(&self, group: &Principal) -> Field<Vec<GroupMember>> {
        let path = format!("groups[{}].members", group.id);
        let mut out = Vec::new();
        // Depth-first over (group, chain so far); a group already on the chain is a cycle.
        let mut stack: Vec<(Principal, Vec<Link>)> = vec![(group.clone(), vec![])];
        while let Some((g, chain)) = stack.pop() {
            let direct = match self.direct(&g.id).await {
                Ok(d) => d,
                Err(why) => return Field::unknown(path, format!("members of group {}: {why}", g.label())),
            };
            for (member, terms) in direct.iter() {
                let mut next = chain.clone();
                next.push(Link {
                    group: g.clone(),
                    terms: Field::value(
                        format!("groups[{}].assignmentSchedules", g.id),
                        terms.clone(),
                        terms.describe(),
                    ),
                });
                let cycle = next.iter().any(|l| l.group.id.eq_ignore_ascii_case(&member.id));
                if member.is("Group") && !cycle && next.len() < MAX_DEPTH {
                    stack.push((member.clone(), next));
                } else if !member.is("Group") {
                    out.push(GroupMember { principal: member.clone(), chain: next });
                }
            }
        }
        out.sort_by(|a, b| a.principal.cmp(&b.principal));
        let raw = out.iter().map(|m| m.principal.label()).collect::<Vec<_>>().join(", ");
        Field::value(path, out, format!("[{raw}]"))
    }

    /// A group's direct active members and the terms of each (PIM assignment schedules; a
    /// member no schedule mentions is a plain, permanent member).
    async fn direct(&self, group_id: &str) -> Direct {
        self.memberships
            .get_or_init(group_id.to_ascii_lowercase(), || async {
                let members_path = format!("v1.0/groups/{group_id}/members?$select=id,displayName");
                let schedules_path = format!(
                    "v1.0/identityGovernance/privilegedAccess/group/assignmentSchedules?$filter=groupId eq '{group_id}'"
                );
                let (members, schedules) = tokio::join!(
                    self.list::<DirectoryObject>("listGroupMembers", &members_path),
                    self.list::<GroupSchedule>("listGroupAssignmentSchedules", &schedules_path),
                );
                let members = members?;
                let schedules = schedules.map_err(|why| format!("their PIM terms: {why}"))?;
                let terms = |id: &str| {
                    schedules
                        .iter()
                        .filter(|s| s.access_id.as_deref().is_none_or(|a| a.eq_ignore_ascii_case("member")))
                        .find(|s| s.principal_id.eq_ignore_ascii_case(id))
                        .map(map::schedule_terms)
                        .unwrap_or(Terms::Permanent)
                };
                Ok(Arc::new(
                    members
                        .iter()
                        .map(|m| (map::principal(&m.id, Some(&m.kind()), m.display_name.as_deref()), terms(&m.id)))
                        .collect(),
                ))
            })
            .await
    }

    async fn eligible(&self, group_id: &str) -> Field<Vec<Principal>> {
        let path = format!("groups[{group_id}].eligibilitySchedules");
        let list = format!(
            "v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=groupId eq '{group_id}'"
        );
        let schedules = match self.list::<GroupSchedule>("listGroupEligibilitySchedules", &list).await {
            Ok(s) => s,
            Err(why) => return Field::unknown(path, why),
        };
        let ids: BTreeSet<String> = schedules
            .iter()
            .filter(|s| s.access_id.as_deref().is_none_or(|a| a.eq_ignore_ascii_case("member")))
            .map(|s| s.principal_id.to_ascii_lowercase())
            .collect();
        // Names are for evidence only; without them the ids still count.
        let names = if ids.is_empty() { HashMap::new() } else { self.names(&ids).await.unwrap_or_default() };
        let principals: Vec<Principal> = ids
            .iter()
            .map(|id| match names.get(id) {
                Some(o) => map::principal(&o.id, Some(&o.kind()), o.display_name.as_deref()),
                None => map::principal(id, None, None),
            })
            .collect();
        let raw = principals.iter().map(Principal::label).collect::<Vec<_>>().join(", ");
        Field::value(path, principals, format!("[{raw}]"))
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
