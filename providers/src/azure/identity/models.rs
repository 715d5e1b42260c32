//! Typed serde models of the ARM authorization and Microsoft Graph fields kubeposture reads.
//! Unknown fields are ignored; enum-like values stay strings.

use serde::Deserialize;

/// `Microsoft.Authorization/roleAssignments` (2022-04-01).
#[derive(Debug, Deserialize)]
pub struct RoleAssignment {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub properties: Option<AssignmentProperties>,
}

/// The common properties of role assignments and PIM schedule instances (2020-10-01).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentProperties {
    #[serde(default)]
    pub role_definition_id: String,
    #[serde(default)]
    pub principal_id: String,
    pub principal_type: Option<String>,
    #[serde(default)]
    pub scope: String,
    pub condition: Option<String>,
    /// Schedule instances: `Assigned` or `Activated`.
    pub assignment_type: Option<String>,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    /// Schedule instances: the role assignment they stand for.
    pub origin_role_assignment_id: Option<String>,
    pub expanded_properties: Option<ExpandedProperties>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpandedProperties {
    pub principal: Option<ExpandedPrincipal>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpandedPrincipal {
    pub display_name: Option<String>,
}

/// `roleEligibilityScheduleInstances` / `roleAssignmentScheduleInstances` items.
#[derive(Debug, Deserialize)]
pub struct ScheduleInstance {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub properties: Option<AssignmentProperties>,
}

/// `roleDefinitions/{id}`.
#[derive(Debug, Deserialize)]
pub struct RoleDefinitionBody {
    #[serde(default)]
    pub name: String,
    pub properties: Option<RoleDefinitionProperties>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinitionProperties {
    pub role_name: Option<String>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
    #[serde(default)]
    pub data_actions: Vec<String>,
    #[serde(default)]
    pub not_data_actions: Vec<String>,
}

/// A Graph directory object (`members`, `getByIds`, `groups/{id}`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryObject {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: Option<String>,
    /// `directoryRole` objects: the template of the role.
    pub role_template_id: Option<String>,
}

impl DirectoryObject {
    /// `User`, `Group`, `ServicePrincipal` from `#microsoft.graph.user` etc.
    pub fn kind(&self) -> String {
        match self.odata_type.as_deref().map(|t| t.trim_start_matches("#microsoft.graph.")) {
            Some("user") => "User".into(),
            Some("group") => "Group".into(),
            Some("servicePrincipal") => "ServicePrincipal".into(),
            Some(other) => other.to_string(),
            None => "DirectoryObject".into(),
        }
    }
}

/// `privilegedAccessGroupEligibilitySchedule` / `…AssignmentSchedule`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSchedule {
    #[serde(default)]
    pub id: String,
    pub access_id: Option<String>,
    #[serde(default)]
    pub principal_id: String,
    pub schedule_info: Option<ScheduleInfo>,
    /// Assignment schedules: `assigned` or `activated`.
    pub assignment_type: Option<String>,
    /// `$expand=principal`: the principal with its `@odata.type`.
    pub principal: Option<DirectoryObject>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInfo {
    pub start_date_time: Option<String>,
    pub expiration: Option<Expiration>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Expiration {
    /// `noExpiration`, `afterDateTime`, `afterDuration`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub end_date_time: Option<String>,
    pub duration: Option<String>,
}

/// `unifiedRoleManagementPolicyAssignment` with its policy and rules expanded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyAssignment {
    #[serde(default)]
    pub id: String,
    pub role_definition_id: Option<String>,
    pub policy: Option<Policy>,
}

#[derive(Debug, Deserialize)]
pub struct Policy {
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    #[serde(default)]
    pub id: String,
    pub maximum_duration: Option<String>,
    pub setting: Option<ApprovalSetting>,
    pub enabled_rules: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalSetting {
    pub is_approval_required: Option<bool>,
}

/// A user read for its account kind (`directoryObjects/getByIds` with `$select`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserBody {
    #[serde(default)]
    pub id: String,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// Set (`PendingAcceptance`, `Accepted`) for users invited from another tenant.
    pub external_user_state: Option<String>,
    /// `Invitation` for invited users.
    pub creation_type: Option<String>,
    pub user_principal_name: Option<String>,
}

/// `unifiedRoleEligibilityScheduleInstance`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleEligibilityInstance {
    #[serde(default)]
    pub principal_id: String,
    /// For built-in roles, the role template id.
    #[serde(default)]
    pub role_definition_id: String,
    /// `/` tenant-wide, `/administrativeUnits/{id}` on an administrative unit.
    pub directory_scope_id: Option<String>,
}
