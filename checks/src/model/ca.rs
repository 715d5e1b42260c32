//! Conditional Access policies: every condition and control of Graph v1.0
//! `conditionalAccessPolicy`, as the wire said it. Enum values stay strings (the checks know
//! which ones they understand); `null`, `[]` and absent all read as "no condition". Whatever the
//! provider could not place — a property it does not know, a value of the wrong type — is kept in
//! `unrecognised` with its JSON path, so the checks can say the policy's effect is unknown.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One Conditional Access policy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaPolicy {
    pub id: String,
    /// `displayName`, or the id without one.
    pub name: String,
    /// `enabled`, `disabled`, `enabledForReportingButNotEnforced`, or what Graph said.
    pub state: String,
    pub conditions: CaConditions,
    /// `grantControls`; `None` when null (a policy with session controls only).
    pub grant: Option<CaGrant>,
    pub session: CaSession,
    /// Properties or values the provider could not read, by JSON path under the policy.
    pub unrecognised: Vec<Unrecognised>,
}

/// A property or value of the policy the scanner does not understand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unrecognised {
    /// JSON path under the policy: `conditions.users.includeAgents`.
    pub path: String,
    /// The wire value, as JSON.
    pub raw: String,
}

/// `conditions` (`conditionalAccessConditionSet`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaConditions {
    pub users: Option<CaUsers>,
    pub applications: Option<CaApplications>,
    /// Workload identities (`clientApplications`).
    pub client_applications: Option<CaClientApplications>,
    /// `all`, `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync`, `easSupported`, `other`.
    pub client_app_types: Vec<String>,
    pub platforms: Option<IncludeExclude>,
    pub locations: Option<IncludeExclude>,
    pub sign_in_risk_levels: Vec<String>,
    pub user_risk_levels: Vec<String>,
    pub service_principal_risk_levels: Vec<String>,
    /// Flags enum (`minor,moderate`), split.
    pub insider_risk_levels: Vec<String>,
    pub devices: Option<CaDevices>,
    /// The retired `deviceStates` condition (`includeStates`/`excludeStates`).
    pub device_states: Option<IncludeExclude>,
    /// `authenticationFlows.transferMethods` (flags enum, split); empty when null.
    pub transfer_methods: Vec<String>,
}

/// An include list and an exclude list (platforms, locations, device states).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncludeExclude {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// `conditions.users`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaUsers {
    /// User ids, or `All`, `None`, `GuestsOrExternalUsers`.
    pub include_users: Vec<String>,
    pub exclude_users: Vec<String>,
    pub include_groups: Vec<String>,
    pub exclude_groups: Vec<String>,
    /// Directory role *template* ids.
    pub include_roles: Vec<String>,
    pub exclude_roles: Vec<String>,
    pub include_guests: Option<GuestsOrExternalUsers>,
    pub exclude_guests: Option<GuestsOrExternalUsers>,
    /// What the object ids of the four id lists are, as the directory answered.
    #[serde(default)]
    pub objects: ObjectKinds,
    /// For each group of `excludeGroups` (lower-cased id): the principals (lower-cased ids) that
    /// may join it through PIM for Groups — eligible for it, or for a group nested in it — or why
    /// that is not known. Missing: not read.
    #[serde(default)]
    pub exclusion_eligible: BTreeMap<String, Result<BTreeSet<String>, String>>,
}

/// The kinds of the object ids a users condition names (`includeUsers`, `excludeUsers`,
/// `includeGroups`, `excludeGroups`), read with `directoryObjects/getByIds` for users and groups.
/// Graph matches `includeUsers` against users and `includeGroups` against groups only: a group's
/// id in `includeUsers`, or an id of a deleted object, targets nobody.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectKinds {
    /// Lower-cased id → `User` or `Group`, for each id the directory returned.
    pub found: BTreeMap<String, String>,
    /// Why the ids were not resolved; `None` when the directory answered for all of them, so an
    /// id missing from `found` is neither a user nor a group (another kind, or deleted).
    pub unresolved: Option<String>,
    /// For the groups risk policies include (lower-cased id): whether anybody is in it or may
    /// join it through PIM for Groups (a member or an eligible principal), or why not known.
    /// Missing: not read.
    #[serde(default)]
    pub populated: BTreeMap<String, Result<bool, String>>,
}

impl Default for ObjectKinds {
    fn default() -> Self {
        ObjectKinds {
            found: BTreeMap::new(),
            unresolved: Some("the kinds of the ids were not read".into()),
            populated: BTreeMap::new(),
        }
    }
}

impl ObjectKinds {
    /// Every id resolved: `found` holds the users and groups among them.
    pub fn resolved(found: BTreeMap<String, String>) -> Self {
        ObjectKinds { found, unresolved: None, populated: BTreeMap::new() }
    }

    /// An object id (a GUID), not a keyword such as `All`, `None` or `GuestsOrExternalUsers`.
    pub fn is_object_id(s: &str) -> bool {
        let s = s.trim();
        s.len() == 36
            && s.char_indices()
                .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
    }

    /// Whether `id` is an object of `kind` (`User`, `Group`): yes, no (another kind, or no such
    /// object), or why it is not known.
    pub fn is(&self, id: &str, kind: &str) -> Result<bool, &str> {
        match (self.found.get(&id.trim().to_ascii_lowercase()), &self.unresolved) {
            (Some(k), _) => Ok(k.eq_ignore_ascii_case(kind)),
            (None, None) => Ok(false),
            (None, Some(why)) => Err(why),
        }
    }
}

/// `conditionalAccessGuestsOrExternalUsers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestsOrExternalUsers {
    /// `guestOrExternalUserTypes` (flags enum, split): `internalGuest`, `b2bCollaborationGuest`, …
    pub types: Vec<String>,
    pub tenants: ExternalTenants,
}

/// `externalTenants`: which home tenants of external users.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ExternalTenants {
    /// Null: no restriction by tenant.
    #[default]
    Any,
    /// `membershipKind: all`.
    All,
    /// `membershipKind: enumerated` with `members`.
    Enumerated(Vec<String>),
    /// A `membershipKind` the scanner does not know.
    Other(String),
}

/// `conditions.applications`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaApplications {
    /// App ids, or `All`, `None`, `Office365`, `MicrosoftAdminPortals`.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// `urn:user:registersecurityinfo`, `urn:user:registerdevice`.
    pub user_actions: Vec<String>,
    /// `includeAuthenticationContextClassReferences` (`c1`, …).
    pub authentication_contexts: Vec<String>,
    pub filter: Option<CaFilter>,
}

/// `conditions.clientApplications` (workload identities).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaClientApplications {
    pub include_service_principals: Vec<String>,
    pub exclude_service_principals: Vec<String>,
    pub filter: Option<CaFilter>,
}

/// `conditionalAccessFilter`: a rule over device or application attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaFilter {
    /// `include` or `exclude`.
    pub mode: String,
    pub rule: String,
}

/// `conditions.devices`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaDevices {
    pub filter: Option<CaFilter>,
    /// The retired `includeDevices`/`excludeDevices` (`All`, `Compliant`, `DomainJoined`).
    pub include_devices: Vec<String>,
    pub exclude_devices: Vec<String>,
}

/// `grantControls`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaGrant {
    /// `AND` or `OR`.
    pub operator: Option<String>,
    /// `block`, `mfa`, `compliantDevice`, `domainJoinedDevice`, `approvedApplication`,
    /// `compliantApplication`, `passwordChange`.
    pub built_in: Vec<String>,
    pub custom_factors: Vec<String>,
    pub terms_of_use: Vec<String>,
    pub authentication_strength: Option<AuthenticationStrength>,
}

/// `grantControls.authenticationStrength` (`authenticationStrengthPolicy`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationStrength {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `allowedCombinations`: each a flags value (`password,microsoftAuthenticatorPush`), split;
    /// `None` when Graph did not expand them.
    pub allowed_combinations: Option<Vec<Vec<String>>>,
    /// `requirementsSatisfied` (`mfa`, `none`).
    pub requirements_satisfied: Option<String>,
}

/// `sessionControls`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaSession {
    pub sign_in_frequency: Option<SignInFrequency>,
    /// `persistentBrowser`: `(isEnabled, mode)`.
    pub persistent_browser: Option<(Option<bool>, Option<String>)>,
    /// `cloudAppSecurity`: `(isEnabled, cloudAppSecurityType)`.
    pub cloud_app_security: Option<(Option<bool>, Option<String>)>,
    /// `applicationEnforcedRestrictions.isEnabled`.
    pub application_enforced_restrictions: Option<bool>,
    pub disable_resilience_defaults: Option<bool>,
    /// `secureSignInSession.isEnabled`.
    pub secure_sign_in_session: Option<bool>,
    /// Beta session controls that act only after sign-in and that no check judges
    /// (`continuousAccessEvaluation`, `networkAccessSecurity`, `globalSecureAccessFilteringProfile`),
    /// as `name = raw`; null ones are left out.
    pub after_sign_in: Vec<String>,
}

/// `sessionControls.signInFrequency`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInFrequency {
    pub is_enabled: Option<bool>,
    pub value: Option<i64>,
    /// `type`: `hours` or `days`.
    pub unit: Option<String>,
    /// `timeBased` or `everyTime`.
    pub interval: Option<String>,
    /// `primaryAndSecondaryAuthentication` or `secondaryAuthentication`.
    pub authentication_type: Option<String>,
}
