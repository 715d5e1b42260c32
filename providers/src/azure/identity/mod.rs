//! Who can act as admin on each AKS cluster, and on what terms: ARM role assignments and PIM
//! schedules (once per subscription), role definitions (once each), the groups on admin paths
//! read through Graph (once per group, following members and PIM eligibility at any depth, at
//! most [`MAX_GROUPS`] per cluster), Conditional Access (once per tenant).

mod authz;
pub mod ca;
mod graph;
pub mod map;
pub mod models;

use crate::azure::arm::ApiClient;
use crate::once::OnceMap;
use authz::Authz;
use graph::Graph;
use kubeposture_checks::Field;
use kubeposture_checks::abac::custom_roles_named;
use kubeposture_checks::azure_rbac::{can_delegate, may_reach};
use kubeposture_checks::model::{EntraAccess, EntraGroup, Memberships, Principal, RoleDefinition, RoleGrant, Terms};
use models::DirectoryObject;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

pub use graph::reason;

/// Groups read for one cluster at most; beyond, the paths through the rest are reported as not
/// read (the checks turn them into `unknown`), never dropped.
pub const MAX_GROUPS: usize = 2000;

pub struct Identity {
    authz: Authz,
    graph: Graph,
    /// Display names of every principal a subscription's assignments name, once per subscription.
    names: OnceMap<String, Arc<HashMap<String, DirectoryObject>>>,
}

/// What the cluster itself says about its admins.
pub struct ClusterFacts<'a> {
    pub subscription: &'a str,
    pub id: &'a str,
    /// `aadProfile.adminGroupObjectIDs`.
    pub admin_group_ids: &'a [String],
}

impl Identity {
    pub fn new(arm: ApiClient, graph: ApiClient) -> Self {
        Self { authz: Authz::new(arm), graph: Graph::new(graph), names: OnceMap::default() }
    }

    pub async fn conditional_access(&self) -> Field<Arc<Vec<kubeposture_checks::model::CaPolicy>>> {
        self.graph.conditional_access().await
    }

    async fn names(&self, sub: &str) -> Arc<HashMap<String, DirectoryObject>> {
        self.names
            .get_or_init(sub.to_ascii_lowercase(), || async {
                let facts = self.authz.subscription(sub).await;
                let mut ids = BTreeSet::new();
                for p in facts.assignments.iter().flatten().filter_map(|a| a.properties.as_ref()) {
                    ids.insert(p.principal_id.to_ascii_lowercase());
                }
                for p in facts.eligible.iter().flatten().filter_map(|a| a.properties.as_ref()) {
                    ids.insert(p.principal_id.to_ascii_lowercase());
                }
                // Names are evidence only: without them the principals are still judged.
                let names = if ids.is_empty() { Ok(HashMap::new()) } else { self.graph.names(&ids).await };
                Arc::new(names.unwrap_or_else(|why| {
                    tracing::warn!("principal names of subscription {sub} not read: {why}");
                    HashMap::new()
                }))
            })
            .await
    }

    pub async fn for_cluster(&self, c: ClusterFacts<'_>) -> EntraAccess {
        let (role_grants, conditional_access) = tokio::join!(self.grants(&c), self.graph.conditional_access());
        let groups = self.groups(&c, &role_grants).await;
        let member_of = self.member_of(&role_grants, &groups).await;
        EntraAccess { role_grants, groups, conditional_access, member_of }
    }

    /// What Conditional Access targets every user who can act as cluster admin through (role
    /// holders and the users the groups lead to): groups, directory roles (held and
    /// PIM-eligible), user type. A user whose memberships cannot be read is unknown on its own.
    async fn member_of(
        &self,
        grants: &Field<Vec<RoleGrant>>,
        groups: &Field<BTreeMap<String, Arc<EntraGroup>>>,
    ) -> Field<BTreeMap<String, Field<Memberships>>> {
        const PATH: &str = "transitiveMemberOf";
        let mut users: BTreeSet<String> = BTreeSet::new();
        for g in grants.get().into_iter().flatten() {
            if g.principal.is("User") && g.role.get().is_some_and(|d| may_reach(d)) {
                users.insert(g.principal.id.to_ascii_lowercase());
            }
        }
        for group in groups.get().into_iter().flat_map(|m| m.values()) {
            let members = group.members.get().into_iter().flatten();
            for m in members.chain(group.eligible.get().into_iter().flatten()) {
                if m.principal.is("User") {
                    users.insert(m.principal.id.to_ascii_lowercase());
                }
            }
        }
        if users.is_empty() {
            return Field::value(PATH, BTreeMap::new(), "0 admin user(s)");
        }
        let (types, eligibility) = tokio::join!(self.graph.user_types(&users), self.graph.role_eligibility());
        let mut out = BTreeMap::new();
        for user in users {
            let path = format!("users[{user}].transitiveMemberOf");
            let m = match self.graph.member_of(&user).await {
                Ok(m) => {
                    let eligible_roles = match &eligibility {
                        Ok(all) => {
                            let mine = |p: &str| p == user || m.groups.iter().any(|g| g == p);
                            let roles: Vec<String> = all
                                .iter()
                                .filter(|e| e.scope.trim() == "/" && mine(&e.principal_id))
                                .map(|e| e.role_id.clone())
                                .collect();
                            let raw = format!("{roles:?}");
                            Field::value("roleEligibilityScheduleInstances", roles, raw)
                        }
                        Err(why) => Field::unknown("roleEligibilityScheduleInstances", why.clone()),
                    };
                    let user_type = match types.get(&user) {
                        Some(Ok(t)) => Field::value(format!("users[{user}].userType"), *t, format!("{t:?}")),
                        Some(Err(why)) => Field::unknown(format!("users[{user}].userType"), why.clone()),
                        None => Field::unknown(format!("users[{user}].userType"), "not read"),
                    };
                    let raw = format!("{} group(s), {} directory role(s)", m.groups.len(), m.roles.len());
                    let value =
                        Memberships { groups: m.groups.clone(), roles: m.roles.clone(), eligible_roles, user_type };
                    Field::value(path, value, raw)
                }
                Err(why) => Field::unknown(path, format!("the groups and roles of user {user}: {why}")),
            };
            out.insert(user, m);
        }
        let raw = format!("{} admin user(s)", out.len());
        Field::value(PATH, out, raw)
    }

    /// The custom roles a delegating assignment's condition names, each read once per scan.
    async fn condition_roles(
        &self,
        sub: &str,
        role: &Field<Arc<RoleDefinition>>,
        condition: Option<&str>,
    ) -> BTreeMap<String, Field<Arc<RoleDefinition>>> {
        let mut out = BTreeMap::new();
        let (Some(def), Some(condition)) = (role.get(), condition) else { return out };
        if !can_delegate(def) {
            return out;
        }
        for guid in custom_roles_named(condition) {
            let d = self.authz.definition(sub, &guid).await;
            out.insert(guid, d);
        }
        out
    }

    /// Active and eligible assignments on scopes covering the cluster.
    async fn grants(&self, c: &ClusterFacts<'_>) -> Field<Vec<RoleGrant>> {
        const PATH: &str = "roleAssignments";
        let facts = self.authz.subscription(c.subscription).await;
        let assignments = match facts.assignments_covering(c.id) {
            Ok(a) => a,
            Err(e) => return Field::unknown(PATH, e.to_string()),
        };
        let names = self.names(c.subscription).await;
        let principal = |p: &models::AssignmentProperties| {
            let known = names.get(&p.principal_id.to_ascii_lowercase());
            let name = known.and_then(|o| o.display_name.clone()).or_else(|| {
                p.expanded_properties.as_ref().and_then(|e| e.principal.as_ref()).and_then(|p| p.display_name.clone())
            });
            // ARM's principalType, else the kind Graph gave (a group must be expanded).
            let graph_kind = known.filter(|o| o.odata_type.is_some()).map(|o| o.kind());
            let kind = p.principal_type.clone().filter(|k| !k.trim().is_empty()).or(graph_kind);
            map::principal(&p.principal_id, kind.as_deref(), name.as_deref())
        };
        let mut grants = Vec::new();
        for a in assignments {
            let Some(p) = a.properties.as_ref() else { continue };
            let path = format!("roleAssignments[{}]", a.name);
            let terms = match facts.instance_of(a) {
                Ok(instance) => {
                    let t = map::active_terms(instance);
                    Field::value(format!("{path}.schedule"), t.clone(), t.describe())
                }
                Err(e) => Field::unknown(format!("{path}.schedule"), e.to_string()),
            };
            let role = self.authz.definition(c.subscription, &p.role_definition_id).await;
            let condition = p.condition.clone().filter(|c| !c.trim().is_empty());
            let condition_roles = self.condition_roles(c.subscription, &role, condition.as_deref()).await;
            grants.push(RoleGrant {
                role,
                principal: principal(p),
                scope: p.scope.clone(),
                terms,
                condition,
                condition_roles,
                path,
            });
        }
        match facts.eligible_covering(c.id) {
            Ok(eligible) => {
                for e in eligible {
                    let Some(p) = e.properties.as_ref() else { continue };
                    let path = format!("roleEligibilityScheduleInstances[{}]", e.name);
                    let t = Terms::Eligible { end: p.end_date_time.clone() };
                    let role = self.authz.definition(c.subscription, &p.role_definition_id).await;
                    let condition = p.condition.clone().filter(|c| !c.trim().is_empty());
                    let condition_roles = self.condition_roles(c.subscription, &role, condition.as_deref()).await;
                    let terms = Field::value(format!("{path}.schedule"), t.clone(), t.describe());
                    grants.push(RoleGrant {
                        role,
                        principal: principal(p),
                        scope: p.scope.clone(),
                        terms,
                        condition,
                        condition_roles,
                        path,
                    });
                }
            }
            // Eligible grants are JIT by definition; missing them hides no standing access,
            // but the delegation and inventory checks must not pass blindly.
            Err(e) => return Field::unknown(PATH, format!("PIM eligibility could not be read: {e}")),
        }
        let raw = format!("{} assignment(s) on covering scopes", grants.len());
        Field::value(PATH, grants, raw)
    }

    /// The groups holding a role that may reach admin (or delegate) on a covering scope and the
    /// cluster's `adminGroupObjectIDs`, and every group their members and PIM eligibility lead
    /// to, each read once per scan.
    async fn groups(
        &self,
        c: &ClusterFacts<'_>,
        grants: &Field<Vec<RoleGrant>>,
    ) -> Field<BTreeMap<String, Arc<EntraGroup>>> {
        const PATH: &str = "groups";
        let mut queue: VecDeque<Principal> = VecDeque::new();
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        let mut push = |queue: &mut VecDeque<Principal>, p: Principal| {
            if wanted.insert(p.id.trim().to_ascii_lowercase()) {
                queue.push_back(p);
            }
        };
        for g in grants.get().into_iter().flatten() {
            // Whatever the cluster's settings: the checks decide what reaches admin.
            if g.principal.is("Group") && g.role.get().is_some_and(|d| may_reach(d)) {
                push(&mut queue, g.principal.clone());
            }
        }
        for id in c.admin_group_ids.iter().filter(|id| !id.trim().is_empty()) {
            push(&mut queue, map::principal(id.trim(), Some("Group"), None));
        }
        let mut out = BTreeMap::new();
        while let Some(p) = queue.pop_front() {
            if out.len() >= MAX_GROUPS {
                tracing::warn!("more than {MAX_GROUPS} groups on the admin paths of {}: the rest is not read", c.id);
                break;
            }
            let g = self.graph.group(p).await;
            for m in g.members.get().into_iter().flatten().chain(g.eligible.get().into_iter().flatten()) {
                if m.principal.is("Group") {
                    push(&mut queue, m.principal.clone());
                }
            }
            out.insert(g.group.id.trim().to_ascii_lowercase(), g);
        }
        let raw = format!("{} group(s)", out.len());
        Field::value(PATH, out, raw)
    }
}
