//! Azure: who can act as cluster admin through Azure RBAC and Entra ID, on what terms, and the
//! Conditional Access policies that guard sign-in to the AKS server application.

use crate::field::Field;
use crate::model::CaPolicy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A directory object: user, group, service principal (kept as Graph or ARM named it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Principal {
    pub id: String,
    /// `User`, `Group`, `ServicePrincipal`, `ForeignGroup`, … as the API said.
    pub kind: String,
    pub display_name: Option<String>,
}

impl Principal {
    /// `Display Name (kind id)`, or `kind id` without a name.
    pub fn label(&self) -> String {
        match &self.display_name {
            Some(n) => format!("{n} ({} {})", self.kind, self.id),
            None => format!("{} {}", self.kind, self.id),
        }
    }
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }
}

/// An Azure role definition's permissions (`roleDefinitions/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDefinition {
    /// The definition GUID.
    pub id: String,
    pub name: String,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
}

/// On what terms a principal holds a role or a membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Terms {
    /// Active with no end: standing access.
    Permanent,
    /// Active until `end` (a time-bound assignment, or a PIM activation).
    TimeBound { end: String },
    /// PIM-eligible: nothing until activated (`end` of the eligibility, if any).
    Eligible { end: Option<String> },
}

impl Terms {
    pub fn describe(&self) -> String {
        match self {
            Terms::Permanent => "active, permanent".into(),
            Terms::TimeBound { end } => format!("active until {end}"),
            Terms::Eligible { end: Some(end) } => format!("PIM-eligible until {end}"),
            Terms::Eligible { end: None } => "PIM-eligible".into(),
        }
    }
}

/// A role assignment (active or PIM-eligible) on a scope that covers the cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleGrant {
    /// Evidence path: `roleAssignments[<id>]` or `roleEligibilityScheduleInstances[<id>]`.
    pub path: String,
    pub principal: Principal,
    pub role: Field<Arc<RoleDefinition>>,
    /// The assignment's scope: the cluster, its resource group, subscription or a management group.
    pub scope: String,
    /// Unknown when PIM schedules could not be read to tell permanent from time-bound.
    pub terms: Field<Terms>,
    /// ABAC condition limiting the assignment, if any.
    pub condition: Option<String>,
    /// The definitions of custom roles its condition names (by lower-cased GUID), read when the
    /// role can write role assignments: what a constrained delegate may hand out.
    #[serde(default)]
    pub condition_roles: BTreeMap<String, Field<Arc<RoleDefinition>>>,
}

/// One direct edge into a group: an active member, or a principal PIM-eligible for the
/// group's `member` role, on its terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub principal: Principal,
    /// Active members: permanent, or time-bound (a PIM assignment or activation); eligible
    /// principals: `Eligible`. Unknown when the group's PIM schedules could not be read.
    pub terms: Field<Terms>,
}

/// The PIM-for-Groups policy of a group's `member` role (`Expiration_EndUser_Assignment`,
/// `Approval_EndUser_Assignment`, `Enablement_EndUser_Assignment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PimPolicy {
    /// Evidence path of the policy.
    pub path: String,
    /// Longest activation, ISO 8601 duration (`PT8H`); `None` when the rule is missing.
    pub max_activation: Option<String>,
    pub approval_required: Option<bool>,
    /// Rules enabled on activation: `MultiFactorAuthentication`, `Justification`, `Ticketing`.
    pub activation_rules: Vec<String>,
}

/// A group on some path to cluster admin — a group holding an admin-capable role, one listed in
/// `adminGroupObjectIDs`, or any group nested in or PIM-eligible for one — with its direct edges.
/// The checks walk these edges (`crate::admins`); the provider only reads them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntraGroup {
    pub group: Principal,
    /// Direct active members (`groups/{id}/members`), users, groups and service principals.
    pub members: Field<Vec<Member>>,
    /// Principals PIM-eligible for the `member` role (`eligibilitySchedules`), users or groups.
    pub eligible: Field<Vec<Member>>,
    pub pim_policy: Field<PimPolicy>,
}

/// What Conditional Access targets a user through, besides its id: the groups it is in, the
/// directory roles it holds or may activate, and whether it is a guest or external user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Memberships {
    /// Every group (lower-cased id) the user is an active member of, nested ones included
    /// (`transitiveMemberOf`).
    pub groups: Vec<String>,
    /// Role *template* ids of the directory roles the user holds (`transitiveMemberOf`'s
    /// `directoryRole` objects: active assignments, PIM activations included).
    pub roles: Vec<String>,
    /// Role template ids the user is PIM-eligible for tenant-wide, directly or through a group
    /// it is in (`roleEligibilityScheduleInstances`).
    pub eligible_roles: Field<Vec<String>>,
    /// From `userType` and how Graph marks external accounts.
    pub user_type: Field<UserType>,
}

/// What kind of account a user is, as Conditional Access's guest conditions see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UserType {
    /// `userType: Member`, a local account.
    Member,
    /// `userType: Guest` with a local account (`internalGuest`).
    InternalGuest,
    /// `userType: Guest` invited from another tenant (`b2bCollaborationGuest`).
    ExternalGuest,
    /// `userType: Member` invited from another tenant (`b2bCollaborationMember`).
    ExternalMember,
}

/// Azure identity around one AKS cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EntraAccess {
    /// Role assignments, active and PIM-eligible, on scopes covering the cluster.
    pub role_grants: Field<Vec<RoleGrant>>,
    /// Every group reachable from the groups holding an admin-capable or delegating role and from
    /// `adminGroupObjectIDs`, through membership or PIM-for-Groups eligibility, by lower-cased id.
    /// A group missing from the map was not read (see its parent's edges); unknown when the
    /// expansion could not start.
    pub groups: Field<BTreeMap<String, Arc<EntraGroup>>>,
    /// The tenant's Conditional Access policies (all of them; checks decide what covers AKS).
    pub conditional_access: Field<Arc<Vec<CaPolicy>>>,
    /// What CA policies target each admin user through, by lower-cased user id.
    pub member_of: Field<BTreeMap<String, Field<Memberships>>>,
}

impl EntraAccess {
    /// Nothing of this kind (EKS clusters).
    pub fn absent() -> Self {
        Self {
            role_grants: Field::absent("roleAssignments"),
            groups: Field::absent("groups"),
            conditional_access: Field::absent("conditionalAccess/policies"),
            member_of: Field::absent("transitiveMemberOf"),
        }
    }

    pub fn unknown(reason: &str) -> Self {
        Self {
            role_grants: Field::unknown("roleAssignments", reason),
            groups: Field::unknown("groups", reason),
            conditional_access: Field::unknown("conditionalAccess/policies", reason),
            member_of: Field::unknown("transitiveMemberOf", reason),
        }
    }
}
