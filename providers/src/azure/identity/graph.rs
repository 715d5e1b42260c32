//! Microsoft Graph: Conditional Access once per tenant; each group on an admin path once per
//! scan — its direct members (with the terms of each membership), the principals PIM-eligible
//! for it (users or groups) and its PIM-for-Groups policy. Walking the edges is the checks' job.

use super::map;
use super::models::*;
use crate::azure::arm::{ApiClient, ApiError};
use crate::once::OnceMap;
use kubeposture_checks::Field;
use kubeposture_checks::model::{CaPolicy, EntraGroup, Member, ObjectKinds, PimPolicy, Principal, Terms, UserType};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The Graph application permission each call needs, named when it is denied.
fn permission(op: &str) -> &'static str {
    match op {
        "listConditionalAccessPolicies" => "Policy.Read.All",
        "getGroup" | "listGroupMembers" => "GroupMember.Read.All",
        // Directory roles come back beside the groups: their names need directory read access.
        "listTransitiveMemberOf" => "GroupMember.Read.All (and RoleManagement.Read.Directory for the directory roles)",
        "listDirectoryRoleEligibilityScheduleInstances" => "RoleEligibilitySchedule.Read.Directory",
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
    /// Each user's groups, nested ones included, and directory roles.
    member_of: OnceMap<String, Result<Arc<MemberOf>, String>>,
    /// The tenant's PIM eligibility for directory roles.
    role_eligibility: OnceCell<Result<Arc<Vec<RoleEligibility>>, String>>,
    /// Each user's account kind (`userType` and whether it is external). Held while a read is
    /// under way, so subscriptions asking at once about the same users read them once.
    user_types: tokio::sync::Mutex<HashMap<String, Result<UserType, String>>>,
}

/// A user's groups (nested ones included) and directory roles (role template ids), lower-cased.
#[derive(Debug, Default)]
pub struct MemberOf {
    pub groups: Vec<String>,
    pub roles: Vec<String>,
}

/// One PIM eligibility for a directory role, tenant-wide or on an administrative unit.
#[derive(Debug, Clone)]
pub struct RoleEligibility {
    pub principal_id: String,
    pub role_id: String,
    pub scope: String,
}

impl Graph {
    pub fn new(client: ApiClient) -> Self {
        Self {
            client,
            ca: OnceCell::new(),
            groups: OnceMap::default(),
            member_of: OnceMap::default(),
            role_eligibility: OnceCell::new(),
            user_types: Default::default(),
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
                    .list::<serde_json::Value>(
                        "listConditionalAccessPolicies",
                        "v1.0/identity/conditionalAccess/policies",
                    )
                    .await
                {
                    Ok(bodies) => {
                        let mut policies: Vec<CaPolicy> =
                            bodies.iter().enumerate().map(|(i, b)| super::ca::ca_policy(b, i)).collect();
                        self.resolve_ca_objects(&mut policies).await;
                        self.resolve_exclusion_eligibility(&mut policies).await;
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

    /// The kinds of the object ids the policies' users conditions name (one `getByIds` for the
    /// tenant): a group's id in `includeUsers`, or a deleted object's, targets nobody.
    async fn resolve_ca_objects(&self, policies: &mut [CaPolicy]) {
        let ids: BTreeSet<String> = policies
            .iter()
            .filter_map(|p| p.conditions.users.as_ref())
            .flat_map(|u| [&u.include_users, &u.exclude_users, &u.include_groups, &u.exclude_groups])
            .flatten()
            .map(|id| id.trim().to_ascii_lowercase())
            .filter(|id| ObjectKinds::is_object_id(id))
            .collect();
        let kinds = if ids.is_empty() {
            ObjectKinds::resolved(Default::default())
        } else {
            match self.get_by_ids::<DirectoryObject>(&ids, &["user", "group"], "?$select=id").await {
                Ok(found) => ObjectKinds::resolved(
                    found
                        .into_iter()
                        .filter(|o| ids.contains(&o.id.to_ascii_lowercase()))
                        .map(|o| (o.id.to_ascii_lowercase(), o.kind()))
                        .collect(),
                ),
                Err(why) => ObjectKinds {
                    found: Default::default(),
                    unresolved: Some(format!("the kinds of the ids the policies name could not be read: {why}")),
                    populated: Default::default(),
                },
            }
        };
        // The groups risk policies include: does anybody sign in through them (IDN-005)?
        let mut kinds = kinds;
        let risk_groups: BTreeSet<String> = policies
            .iter()
            .filter(|p| !p.conditions.sign_in_risk_levels.is_empty() || !p.conditions.user_risk_levels.is_empty())
            .filter_map(|p| p.conditions.users.as_ref())
            .flat_map(|u| &u.include_groups)
            .map(|id| id.trim().to_ascii_lowercase())
            .filter(|id| kinds.is(id, "Group") == Ok(true))
            .collect();
        for g in risk_groups {
            let (members, eligible) = tokio::join!(self.members(&g), self.eligible(&g));
            let populated = match (members.get(), eligible.get()) {
                (Some(m), _) if !m.is_empty() => Ok(true),
                (_, Some(e)) if !e.is_empty() => Ok(true),
                (Some(_), Some(_)) => Ok(false),
                (None, _) => Err(format!("{}: {}", members.path, members.observed())),
                (_, None) => Err(format!("{}: {}", eligible.path, eligible.observed())),
            };
            kinds.populated.insert(g, populated);
        }
        for u in policies.iter_mut().filter_map(|p| p.conditions.users.as_mut()) {
            u.objects = kinds.clone();
        }
    }

    /// Who may join each group of the policies' `excludeGroups` through PIM for Groups: an admin
    /// eligible for an excluded group can activate the membership and escape the policy.
    async fn resolve_exclusion_eligibility(&self, policies: &mut [CaPolicy]) {
        let groups: BTreeSet<String> = policies
            .iter()
            .filter_map(|p| p.conditions.users.as_ref())
            .flat_map(|u| &u.exclude_groups)
            .map(|id| id.trim().to_ascii_lowercase())
            .filter(|id| ObjectKinds::is_object_id(id))
            .collect();
        let mut found = BTreeMap::new();
        for g in groups {
            let eligible = self.eligible_to_join(&g).await;
            found.insert(g, eligible);
        }
        for u in policies.iter_mut().filter_map(|p| p.conditions.users.as_mut()) {
            u.exclusion_eligible = u
                .exclude_groups
                .iter()
                .filter_map(|g| found.get_key_value(&g.trim().to_ascii_lowercase()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
        }
    }

    /// The principals PIM-eligible for `group`, for a group nested in it, or for a group that is
    /// itself eligible for one of those (at most [`super::MAX_GROUPS`] groups walked).
    async fn eligible_to_join(&self, group: &str) -> Result<BTreeSet<String>, String> {
        let mut seen = BTreeSet::new();
        let mut queue = vec![group.to_string()];
        let mut out = BTreeSet::new();
        while let Some(g) = queue.pop() {
            if !seen.insert(g.clone()) {
                continue;
            }
            if seen.len() > super::MAX_GROUPS {
                return Err(format!("more than {} groups are nested in group {group}", super::MAX_GROUPS));
            }
            let (members, eligible) = tokio::join!(self.members(&g), self.eligible(&g));
            let unknown = |f: &Field<Vec<Member>>| format!("{}: {}", f.path, f.observed());
            let eligible = eligible.get().ok_or_else(|| unknown(&eligible))?;
            out.extend(eligible.iter().map(|m| m.principal.id.to_ascii_lowercase()));
            let members = members.get().ok_or_else(|| unknown(&members))?;
            // Whoever may join a nested group, or a group that is itself eligible here, may join
            // this one too (one activation more).
            queue.extend(
                members
                    .iter()
                    .chain(eligible.iter())
                    .filter(|m| m.principal.is("Group"))
                    .map(|m| m.principal.id.to_ascii_lowercase()),
            );
        }
        Ok(out)
    }

    /// Every group a user is in, nested ones included, and the directory roles it holds
    /// (`directoryRole` objects, by role template id), once per user.
    pub async fn member_of(&self, user_id: &str) -> Result<Arc<MemberOf>, String> {
        let key = user_id.to_ascii_lowercase();
        self.member_of
            .get_or_init(key.clone(), || async move {
                let path = format!("v1.0/users/{key}/transitiveMemberOf?$select=id,roleTemplateId");
                let objects = self.list::<DirectoryObject>("listTransitiveMemberOf", &path).await?;
                let mut out = MemberOf::default();
                for o in &objects {
                    match o.kind().as_str() {
                        "Group" => out.groups.push(o.id.to_ascii_lowercase()),
                        "directoryRole" => match &o.role_template_id {
                            Some(t) => out.roles.push(t.to_ascii_lowercase()),
                            None => return Err(format!("directory role {} came without its roleTemplateId", o.id)),
                        },
                        _ => {}
                    }
                }
                Ok(Arc::new(out))
            })
            .await
    }

    /// The tenant's PIM eligibilities for directory roles (`roleEligibilityScheduleInstances`),
    /// read once.
    pub async fn role_eligibility(&self) -> Result<Arc<Vec<RoleEligibility>>, String> {
        self.role_eligibility
            .get_or_init(|| async {
                let path = "v1.0/roleManagement/directory/roleEligibilityScheduleInstances";
                let items =
                    self.list::<RoleEligibilityInstance>("listDirectoryRoleEligibilityScheduleInstances", path).await?;
                Ok(Arc::new(
                    items
                        .into_iter()
                        .map(|i| RoleEligibility {
                            principal_id: i.principal_id.to_ascii_lowercase(),
                            role_id: i.role_definition_id.to_ascii_lowercase(),
                            scope: i.directory_scope_id.unwrap_or_default(),
                        })
                        .collect(),
                ))
            })
            .await
            .clone()
    }

    /// Each user's account kind, read with `directoryObjects/getByIds` for the users not yet
    /// known (`userType` is not among the properties Graph returns by default, so it is selected).
    pub async fn user_types(&self, ids: &BTreeSet<String>) -> HashMap<String, Result<UserType, String>> {
        let mut known = self.user_types.lock().await;
        let missing: BTreeSet<String> = ids.iter().filter(|id| !known.contains_key(*id)).cloned().collect();
        if !missing.is_empty() {
            let read = self.read_user_types(&missing).await;
            for id in &missing {
                let r = match &read {
                    Ok(found) => found
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| Err(format!("user {id} was not returned by directoryObjects/getByIds"))),
                    Err(why) => Err(why.clone()),
                };
                known.insert(id.clone(), r);
            }
        }
        ids.iter().filter_map(|id| known.get(id).map(|r| (id.clone(), r.clone()))).collect()
    }

    async fn read_user_types(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, Result<UserType, String>>, String> {
        let select = "?$select=id,userType,externalUserState,creationType,userPrincipalName";
        let users: Vec<UserBody> = self.get_by_ids(ids, &["user"], select).await?;
        Ok(users.iter().map(|u| (u.id.to_ascii_lowercase(), map::user_type(u))).collect())
    }

    /// Display names and kinds of directory objects (`directoryObjects/getByIds`).
    pub async fn names(&self, ids: &BTreeSet<String>) -> Result<HashMap<String, DirectoryObject>, String> {
        let objects: Vec<DirectoryObject> = self.get_by_ids(ids, &["user", "group", "servicePrincipal"], "").await?;
        Ok(objects.into_iter().map(|o| (o.id.to_ascii_lowercase(), o)).collect())
    }

    /// `directoryObjects/getByIds` in batches of 1000 (`query`: `?$select=…` or empty).
    async fn get_by_ids<T: serde::de::DeserializeOwned>(
        &self,
        ids: &BTreeSet<String>,
        types: &[&str],
        query: &str,
    ) -> Result<Vec<T>, String> {
        #[derive(serde::Deserialize)]
        struct Objects<T> {
            #[serde(default = "Vec::new")]
            value: Vec<T>,
        }
        let mut out = Vec::new();
        let ids: Vec<&String> = ids.iter().collect();
        for chunk in ids.chunks(1000) {
            let url = self.client.url(&format!("v1.0/directoryObjects/getByIds{query}")).map_err(|e| e.to_string())?;
            let body = serde_json::json!({"ids": chunk, "types": types});
            let got: Objects<T> = self
                .client
                .post_json("getDirectoryObjectsByIds", url, &body)
                .await
                .map_err(|e| reason("getDirectoryObjectsByIds", &e))?;
            out.extend(got.value);
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
        // Kinds decide what is expanded (a group hides members): without them the list is not
        // known to be whole, so it is unknown with the failed lookup as the reason.
        let names = if missing.is_empty() {
            HashMap::new()
        } else {
            match self.names(&missing).await {
                Ok(names) => names,
                Err(why) => {
                    return Field::unknown(
                        path,
                        format!("the kinds of {} eligible principal(s): {why}", missing.len()),
                    );
                }
            }
        };
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
