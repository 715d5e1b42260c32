//! Who can act as admin on each AKS cluster, and on what terms: ARM role assignments and PIM
//! schedules (once per subscription), role definitions (once each), admin groups expanded
//! through Graph (once per group), Conditional Access (once per tenant).

mod authz;
mod graph;
pub mod map;
pub mod models;

use crate::azure::arm::ApiClient;
use crate::once::OnceMap;
use authz::Authz;
use graph::Graph;
use kubeposture_checks::Field;
use kubeposture_checks::model::{AdminGroup, EntraAccess, Principal, RoleGrant, Terms};
use models::DirectoryObject;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub use graph::reason;

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
        let admin_groups = self.admin_groups(&c, &role_grants).await;
        let member_of = self.member_of(&role_grants, &admin_groups).await;
        EntraAccess { role_grants, admin_groups, conditional_access, member_of }
    }

    /// The groups of every user who can act as cluster admin (direct grants, admin group
    /// members, eligible members): what Conditional Access targets them through.
    async fn member_of(
        &self,
        grants: &Field<Vec<RoleGrant>>,
        groups: &Field<Vec<Arc<AdminGroup>>>,
    ) -> Field<BTreeMap<String, Vec<String>>> {
        const PATH: &str = "transitiveMemberOf";
        let mut users: BTreeSet<String> = BTreeSet::new();
        for g in grants.get().into_iter().flatten() {
            let admin = g
                .role
                .get()
                .is_some_and(|d| kubeposture_checks::azure_rbac::is_cluster_admin_capable(d, Some(true)).is_some());
            if admin && g.principal.is("User") {
                users.insert(g.principal.id.to_ascii_lowercase());
            }
        }
        for group in groups.get().into_iter().flatten() {
            let members = group.members.get().into_iter().flatten().map(|m| &m.principal);
            for p in members.chain(group.eligible.get().into_iter().flatten()) {
                if p.is("User") {
                    users.insert(p.id.to_ascii_lowercase());
                }
            }
        }
        let mut out = BTreeMap::new();
        for user in users {
            match self.graph.member_of(&user).await {
                Ok(groups) => {
                    out.insert(user, groups.to_vec());
                }
                Err(why) => return Field::unknown(PATH, format!("the groups of user {user}: {why}")),
            }
        }
        let raw = format!("{} admin user(s)", out.len());
        Field::value(PATH, out, raw)
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
            map::principal(&p.principal_id, p.principal_type.as_deref(), name.as_deref())
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
            grants.push(RoleGrant {
                role: self.authz.definition(c.subscription, &p.role_definition_id).await,
                principal: principal(p),
                scope: p.scope.clone(),
                terms,
                condition: p.condition.clone().filter(|c| !c.trim().is_empty()),
                path,
            });
        }
        match facts.eligible_covering(c.id) {
            Ok(eligible) => {
                for e in eligible {
                    let Some(p) = e.properties.as_ref() else { continue };
                    let path = format!("roleEligibilityScheduleInstances[{}]", e.name);
                    let t = Terms::Eligible { end: p.end_date_time.clone() };
                    grants.push(RoleGrant {
                        role: self.authz.definition(c.subscription, &p.role_definition_id).await,
                        principal: principal(p),
                        scope: p.scope.clone(),
                        terms: Field::value(format!("{path}.schedule"), t.clone(), t.describe()),
                        condition: p.condition.clone().filter(|c| !c.trim().is_empty()),
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

    /// Groups holding a cluster-admin-capable role on a covering scope, and the cluster's
    /// `adminGroupObjectIDs`, each expanded once per scan.
    async fn admin_groups(&self, c: &ClusterFacts<'_>, grants: &Field<Vec<RoleGrant>>) -> Field<Vec<Arc<AdminGroup>>> {
        const PATH: &str = "adminGroups";
        let mut wanted: Vec<Principal> = Vec::new();
        let mut push = |p: Principal| {
            if !wanted.iter().any(|w| w.id.eq_ignore_ascii_case(&p.id)) {
                wanted.push(p);
            }
        };
        for g in grants.get().into_iter().flatten() {
            // Expand every group the checks may count as admin (local accounts or not).
            let admin = g
                .role
                .get()
                .is_some_and(|d| kubeposture_checks::azure_rbac::is_cluster_admin_capable(d, Some(true)).is_some());
            if g.principal.is("Group") && admin {
                push(g.principal.clone());
            }
        }
        for id in c.admin_group_ids {
            push(map::principal(id, Some("Group"), None));
        }
        let mut groups = Vec::new();
        for g in wanted {
            groups.push(self.graph.admin_group(g).await);
        }
        let raw = format!("[{}]", groups.iter().map(|g| g.group.label()).collect::<Vec<_>>().join(", "));
        Field::value(PATH, groups, raw)
    }
}
