//! Graph v1.0 `conditionalAccessPolicy` JSON → [`CaPolicy`]: every condition and control.
//!
//! Read from the JSON value itself rather than a typed body, so that nothing is dropped
//! silently: `null`, `[]`, `{}` and absent all mean "no condition"; OData annotations
//! (`@odata.type`, `…@odata.context`) are skipped; any other property the scanner does not know,
//! and any value of the wrong type, is kept in `CaPolicy::unrecognised` with its JSON path, for
//! the checks to call the policy's effect unknown.

use kubeposture_checks::model::{
    AuthenticationStrength, CaApplications, CaClientApplications, CaConditions, CaDevices, CaFilter, CaGrant, CaPolicy,
    CaSession, CaUsers, ExternalTenants, GuestsOrExternalUsers, IncludeExclude, SignInFrequency, Unrecognised,
};
use serde_json::{Map, Value};

/// Longest raw value kept in evidence.
const MAX_RAW: usize = 200;

type Obj = Map<String, Value>;

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.iter().all(|(k, v)| k.contains('@') || is_empty(v)),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

#[derive(Default)]
struct Reader {
    odd: Vec<Unrecognised>,
}

impl Reader {
    fn odd(&mut self, path: &str, v: &Value) {
        let mut raw = v.to_string();
        if raw.len() > MAX_RAW {
            let mut end = MAX_RAW;
            while !raw.is_char_boundary(end) {
                end -= 1;
            }
            raw.truncate(end);
            raw.push('…');
        }
        self.odd.push(Unrecognised { path: path.to_string(), raw });
    }

    /// The object at `path`, or `None` when empty; unknown non-empty keys are recorded.
    fn object<'a>(&mut self, v: Option<&'a Value>, path: &str, known: &[&str]) -> Option<&'a Obj> {
        let v = v?;
        if is_empty(v) && !v.is_object() {
            return None;
        }
        let Some(m) = v.as_object() else {
            self.odd(path, v);
            return None;
        };
        for (k, x) in m {
            if !k.contains('@') && !known.contains(&k.as_str()) && !is_empty(x) {
                self.odd(&format!("{path}.{k}"), x);
            }
        }
        Some(m)
    }

    fn strings(&mut self, m: &Obj, key: &str, path: &str) -> Vec<String> {
        match m.get(key) {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(a)) => {
                let mut out = vec![];
                for (i, x) in a.iter().enumerate() {
                    match x.as_str() {
                        Some(s) => out.push(s.to_string()),
                        None => self.odd(&format!("{path}.{key}[{i}]"), x),
                    }
                }
                out
            }
            Some(other) => {
                self.odd(&format!("{path}.{key}"), other);
                vec![]
            }
        }
    }

    /// A flags enum: `"a,b"` (or a list of such), split.
    fn flags(&mut self, m: &Obj, key: &str, path: &str) -> Vec<String> {
        let split =
            |s: &str| s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect::<Vec<_>>();
        match m.get(key) {
            Some(Value::String(s)) => split(s),
            _ => self.strings(m, key, path).iter().flat_map(|s| split(s)).collect(),
        }
    }

    fn string(&mut self, m: &Obj, key: &str, path: &str) -> Option<String> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.odd(&format!("{path}.{key}"), other);
                None
            }
        }
    }

    fn boolean(&mut self, m: &Obj, key: &str, path: &str) -> Option<bool> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.odd(&format!("{path}.{key}"), other);
                None
            }
        }
    }

    fn integer(&mut self, m: &Obj, key: &str, path: &str) -> Option<i64> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(i) => Some(i),
                None => {
                    self.odd(&format!("{path}.{key}"), v);
                    None
                }
            },
        }
    }

    fn include_exclude(&mut self, v: Option<&Value>, path: &str, keys: [&str; 2]) -> Option<IncludeExclude> {
        let m = self.object(v, path, &keys)?;
        Some(IncludeExclude { include: self.strings(m, keys[0], path), exclude: self.strings(m, keys[1], path) })
    }

    fn filter(&mut self, v: Option<&Value>, path: &str) -> Option<CaFilter> {
        let m = self.object(v, path, &["mode", "rule"])?;
        Some(CaFilter {
            mode: self.string(m, "mode", path).unwrap_or_default(),
            rule: self.string(m, "rule", path).unwrap_or_default(),
        })
    }

    fn guests(&mut self, v: Option<&Value>, path: &str) -> Option<GuestsOrExternalUsers> {
        let m = self.object(v, path, &["guestOrExternalUserTypes", "externalTenants"])?;
        let types = self.flags(m, "guestOrExternalUserTypes", path);
        let tp = format!("{path}.externalTenants");
        let tenants = match self.object(m.get("externalTenants"), &tp, &["membershipKind", "members"]) {
            None => ExternalTenants::Any,
            Some(t) => {
                let odata = t.get("@odata.type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
                let kind = self.string(t, "membershipKind", &tp).unwrap_or_default();
                let members = self.strings(t, "members", &tp);
                if kind.eq_ignore_ascii_case("all") || odata.ends_with("conditionalaccessallexternaltenants") {
                    ExternalTenants::All
                } else if kind.eq_ignore_ascii_case("enumerated")
                    || odata.ends_with("conditionalaccessenumeratedexternaltenants")
                {
                    ExternalTenants::Enumerated(members)
                } else {
                    ExternalTenants::Other(kind)
                }
            }
        };
        Some(GuestsOrExternalUsers { types, tenants })
    }

    fn users(&mut self, v: Option<&Value>) -> Option<CaUsers> {
        const P: &str = "conditions.users";
        let m = self.object(
            v,
            P,
            &[
                "includeUsers",
                "excludeUsers",
                "includeGroups",
                "excludeGroups",
                "includeRoles",
                "excludeRoles",
                "includeGuestsOrExternalUsers",
                "excludeGuestsOrExternalUsers",
            ],
        )?;
        Some(CaUsers {
            include_users: self.strings(m, "includeUsers", P),
            exclude_users: self.strings(m, "excludeUsers", P),
            include_groups: self.strings(m, "includeGroups", P),
            exclude_groups: self.strings(m, "excludeGroups", P),
            include_roles: self.strings(m, "includeRoles", P),
            exclude_roles: self.strings(m, "excludeRoles", P),
            include_guests: self
                .guests(m.get("includeGuestsOrExternalUsers"), &format!("{P}.includeGuestsOrExternalUsers")),
            exclude_guests: self
                .guests(m.get("excludeGuestsOrExternalUsers"), &format!("{P}.excludeGuestsOrExternalUsers")),
            // Resolved once for the tenant's policies (`Graph::conditional_access`).
            objects: Default::default(),
            exclusion_eligible: Default::default(),
        })
    }

    fn applications(&mut self, v: Option<&Value>) -> Option<CaApplications> {
        const P: &str = "conditions.applications";
        let m = self.object(
            v,
            P,
            &[
                "includeApplications",
                "excludeApplications",
                "includeUserActions",
                "includeAuthenticationContextClassReferences",
                "applicationFilter",
            ],
        )?;
        Some(CaApplications {
            include: self.strings(m, "includeApplications", P),
            exclude: self.strings(m, "excludeApplications", P),
            user_actions: self.strings(m, "includeUserActions", P),
            authentication_contexts: self.strings(m, "includeAuthenticationContextClassReferences", P),
            filter: self.filter(m.get("applicationFilter"), &format!("{P}.applicationFilter")),
        })
    }

    fn conditions(&mut self, v: Option<&Value>) -> CaConditions {
        const P: &str = "conditions";
        let Some(m) = self.object(
            v,
            P,
            &[
                "applications",
                "users",
                "clientApplications",
                "clientAppTypes",
                "platforms",
                "locations",
                "signInRiskLevels",
                "userRiskLevels",
                "servicePrincipalRiskLevels",
                "insiderRiskLevels",
                "devices",
                "deviceStates",
                "authenticationFlows",
            ],
        ) else {
            return CaConditions::default();
        };
        let cp = "conditions.clientApplications";
        let client_applications = self
            .object(
                m.get("clientApplications"),
                cp,
                &["includeServicePrincipals", "excludeServicePrincipals", "servicePrincipalFilter"],
            )
            .map(|c| CaClientApplications {
                include_service_principals: self.strings(c, "includeServicePrincipals", cp),
                exclude_service_principals: self.strings(c, "excludeServicePrincipals", cp),
                filter: self.filter(c.get("servicePrincipalFilter"), &format!("{cp}.servicePrincipalFilter")),
            });
        let dp = "conditions.devices";
        let devices =
            self.object(m.get("devices"), dp, &["deviceFilter", "includeDevices", "excludeDevices"]).map(|d| {
                CaDevices {
                    filter: self.filter(d.get("deviceFilter"), &format!("{dp}.deviceFilter")),
                    include_devices: self.strings(d, "includeDevices", dp),
                    exclude_devices: self.strings(d, "excludeDevices", dp),
                }
            });
        let fp = "conditions.authenticationFlows";
        let transfer_methods = match self.object(m.get("authenticationFlows"), fp, &["transferMethods"]) {
            Some(f) => self.flags(f, "transferMethods", fp),
            None => vec![],
        };
        CaConditions {
            users: self.users(m.get("users")),
            applications: self.applications(m.get("applications")),
            client_applications,
            client_app_types: self.strings(m, "clientAppTypes", P),
            platforms: self.include_exclude(
                m.get("platforms"),
                "conditions.platforms",
                ["includePlatforms", "excludePlatforms"],
            ),
            locations: self.include_exclude(
                m.get("locations"),
                "conditions.locations",
                ["includeLocations", "excludeLocations"],
            ),
            sign_in_risk_levels: self.strings(m, "signInRiskLevels", P),
            user_risk_levels: self.strings(m, "userRiskLevels", P),
            service_principal_risk_levels: self.strings(m, "servicePrincipalRiskLevels", P),
            insider_risk_levels: self.flags(m, "insiderRiskLevels", P),
            devices,
            device_states: self.include_exclude(
                m.get("deviceStates"),
                "conditions.deviceStates",
                ["includeStates", "excludeStates"],
            ),
            transfer_methods,
        }
    }

    fn strength(&mut self, v: Option<&Value>, path: &str) -> Option<AuthenticationStrength> {
        let m = self.object(
            v,
            path,
            &[
                "id",
                "displayName",
                "description",
                "policyType",
                "requirementsSatisfied",
                "allowedCombinations",
                "createdDateTime",
                "modifiedDateTime",
                "combinationConfigurations",
            ],
        )?;
        let allowed_combinations = match m.get("allowedCombinations") {
            None | Some(Value::Null) => None,
            Some(_) => Some(
                self.strings(m, "allowedCombinations", path)
                    .iter()
                    .map(|c| c.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect())
                    .collect(),
            ),
        };
        Some(AuthenticationStrength {
            id: self.string(m, "id", path),
            name: self.string(m, "displayName", path),
            allowed_combinations,
            requirements_satisfied: self.string(m, "requirementsSatisfied", path),
        })
    }

    fn grant(&mut self, v: Option<&Value>) -> Option<CaGrant> {
        const P: &str = "grantControls";
        let m = self.object(
            v,
            P,
            &["operator", "builtInControls", "customAuthenticationFactors", "termsOfUse", "authenticationStrength"],
        )?;
        Some(CaGrant {
            operator: self.string(m, "operator", P),
            built_in: self.strings(m, "builtInControls", P),
            custom_factors: self.strings(m, "customAuthenticationFactors", P),
            terms_of_use: self.strings(m, "termsOfUse", P),
            authentication_strength: self
                .strength(m.get("authenticationStrength"), &format!("{P}.authenticationStrength")),
        })
    }

    /// `(isEnabled, the named string)` of a simple session control.
    fn toggle(&mut self, v: Option<&Value>, path: &str, key: &str) -> Option<(Option<bool>, Option<String>)> {
        let m = self.object(v, path, &["isEnabled", key])?;
        Some((self.boolean(m, "isEnabled", path), self.string(m, key, path)))
    }

    fn session(&mut self, v: Option<&Value>) -> CaSession {
        const P: &str = "sessionControls";
        let Some(m) = self.object(
            v,
            P,
            &[
                "signInFrequency",
                "persistentBrowser",
                "cloudAppSecurity",
                "applicationEnforcedRestrictions",
                "disableResilienceDefaults",
                "secureSignInSession",
                "continuousAccessEvaluation",
                "networkAccessSecurity",
                "globalSecureAccessFilteringProfile",
            ],
        ) else {
            return CaSession::default();
        };
        // Beta controls on what happens after sign-in (revocation, token binding, web filtering):
        // documented, and unable to weaken a grant control or the sign-in frequency.
        let after_sign_in = AFTER_SIGN_IN
            .iter()
            .filter_map(|k| m.get(*k).filter(|v| !is_empty(v)).map(|v| format!("{k} = {v}")))
            .collect();
        let fp = "sessionControls.signInFrequency";
        let sign_in_frequency = self
            .object(
                m.get("signInFrequency"),
                fp,
                &["value", "type", "isEnabled", "frequencyInterval", "authenticationType"],
            )
            .map(|f| SignInFrequency {
                is_enabled: self.boolean(f, "isEnabled", fp),
                value: self.integer(f, "value", fp),
                unit: self.string(f, "type", fp),
                interval: self.string(f, "frequencyInterval", fp),
                authentication_type: self.string(f, "authenticationType", fp),
            });
        CaSession {
            sign_in_frequency,
            persistent_browser: self.toggle(m.get("persistentBrowser"), "sessionControls.persistentBrowser", "mode"),
            cloud_app_security: self.toggle(
                m.get("cloudAppSecurity"),
                "sessionControls.cloudAppSecurity",
                "cloudAppSecurityType",
            ),
            application_enforced_restrictions: self
                .toggle(m.get("applicationEnforcedRestrictions"), "sessionControls.applicationEnforcedRestrictions", "")
                .and_then(|(e, _)| e),
            disable_resilience_defaults: self.boolean(m, "disableResilienceDefaults", P),
            secure_sign_in_session: self
                .toggle(m.get("secureSignInSession"), "sessionControls.secureSignInSession", "")
                .and_then(|(e, _)| e),
            after_sign_in,
        }
    }
}

/// Beta session controls that act only after sign-in; kept as evidence, judged by no check.
const AFTER_SIGN_IN: [&str; 3] =
    ["continuousAccessEvaluation", "networkAccessSecurity", "globalSecureAccessFilteringProfile"];

/// Top-level properties: the ones judged, and the ones that only describe the policy.
const TOP: [&str; 11] = [
    "id",
    "displayName",
    "state",
    "conditions",
    "grantControls",
    "sessionControls",
    "description",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "templateId",
];

/// One policy; `index` names it when it has no id.
pub fn ca_policy(v: &Value, index: usize) -> CaPolicy {
    let mut r = Reader::default();
    let Some(m) = r.object(Some(v), "", &TOP) else {
        let mut p = CaPolicy { id: format!("#{index}"), name: format!("policy #{index}"), ..Default::default() };
        p.unrecognised.push(Unrecognised { path: "policy".into(), raw: v.to_string().chars().take(MAX_RAW).collect() });
        return p;
    };
    // Top-level unknown keys were recorded with a leading '.'.
    let id = r.string(m, "id", "").unwrap_or_else(|| format!("#{index}"));
    let name = r.string(m, "displayName", "").unwrap_or_else(|| id.clone());
    let state = r.string(m, "state", "").unwrap_or_default();
    let conditions = r.conditions(m.get("conditions"));
    let grant = r.grant(m.get("grantControls"));
    let session = r.session(m.get("sessionControls"));
    let unrecognised = r
        .odd
        .into_iter()
        .map(|u| Unrecognised { path: u.path.trim_start_matches('.').to_string(), raw: u.raw })
        .collect();
    CaPolicy { id, name, state, conditions, grant, session, unrecognised }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_heavy_real_shapes_are_no_condition() {
        let p = ca_policy(
            &json!({"id": "p", "displayName": "P", "state": "enabled", "templateId": null, "deletedDateTime": null,
                "partialEnablementStrategy": null,
                "conditions": {"@odata.type": "#microsoft.graph.conditionalAccessConditionSet",
                    "userRiskLevels": [], "signInRiskLevels": [], "clientAppTypes": ["all"], "platforms": null,
                    "locations": null, "times": null, "deviceStates": null, "devices": null, "clientApplications": null,
                    "servicePrincipalRiskLevels": [], "insiderRiskLevels": null, "authenticationFlows": null, "clients": null,
                    "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [],
                        "includeAuthenticationContextClassReferences": [], "applicationFilter": null,
                        "networkAccess": null, "globalSecureAccess": null},
                    "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [], "excludeGroups": [],
                        "includeRoles": [], "excludeRoles": [], "includeGuestsOrExternalUsers": null, "excludeGuestsOrExternalUsers": null}},
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": [],
                    "authenticationStrength@odata.context": "https://graph.microsoft.com/v1.0/$metadata#…", "authenticationStrength": null},
                "sessionControls": {"disableResilienceDefaults": null, "applicationEnforcedRestrictions": null, "cloudAppSecurity": null,
                    "persistentBrowser": null, "continuousAccessEvaluation": null, "secureSignInSession": null,
                    "networkAccessSecurity": null, "globalSecureAccessFilteringProfile": null,
                    "signInFrequency": {"value": null, "type": null, "authenticationType": "primaryAndSecondaryAuthentication",
                        "frequencyInterval": "timeBased", "isEnabled": false}}}),
            0,
        );
        assert!(p.unrecognised.is_empty(), "{:?}", p.unrecognised);
        assert!(p.conditions.platforms.is_none() && p.conditions.devices.is_none());
        assert_eq!(p.conditions.users.unwrap().include_users, ["All"]);
        assert_eq!(p.session.sign_in_frequency.unwrap().is_enabled, Some(false));
        assert!(p.session.after_sign_in.is_empty());
    }

    #[test]
    fn beta_session_controls_are_known_and_beta_conditions_are_kept() {
        let p = ca_policy(
            &json!({"id": "p", "state": "enabled",
                "conditions": {"clients": {"includeClients": ["x"]}, "times": null,
                    "applications": {"includeApplications": ["All"], "globalSecureAccess": {"@odata.type": "#microsoft.graph.conditionalAccessGlobalSecureAccess"},
                        "networkAccess": {"includeTrafficProfiles": ["internet"]}}},
                "sessionControls": {"continuousAccessEvaluation": {"mode": "strictEnforcement"}, "secureSignInSession": {"isEnabled": true},
                    "networkAccessSecurity": null,
                    "globalSecureAccessFilteringProfile": {"profileId": "3b40eb9f-0624-4690-9d91-e9e413e023aa", "isEnabled": true}}}),
            0,
        );
        let paths: Vec<&str> = p.unrecognised.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(paths, ["conditions.clients", "conditions.applications.networkAccess"], "{:?}", p.unrecognised);
        assert_eq!(p.session.secure_sign_in_session, Some(true));
        assert_eq!(
            p.session.after_sign_in,
            [
                r#"continuousAccessEvaluation = {"mode":"strictEnforcement"}"#,
                r#"globalSecureAccessFilteringProfile = {"isEnabled":true,"profileId":"3b40eb9f-0624-4690-9d91-e9e413e023aa"}"#
            ]
        );
    }

    #[test]
    fn unknown_properties_and_wrong_types_are_kept_with_their_path() {
        let p = ca_policy(
            &json!({"id": "p", "state": "enabled", "partialEnablementStrategy": "x",
                "conditions": {"times": {"included": {"timezone": "UTC"}}, "users": {"includeUsers": "All", "includeAgents": ["All"]},
                    "applications": {"includeApplications": ["All", 7]}},
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "requireAgent": true},
                "sessionControls": {"signInFrequency": {"value": "4", "type": "hours", "isEnabled": true}}}),
            0,
        );
        let paths: Vec<&str> = p.unrecognised.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "partialEnablementStrategy",
                "conditions.times",
                "conditions.users.includeAgents",
                "conditions.users.includeUsers",
                "conditions.applications.includeApplications[1]",
                "grantControls.requireAgent",
                "sessionControls.signInFrequency.value"
            ],
            "{:?}",
            p.unrecognised
        );
    }

    #[test]
    fn flags_enums_and_external_tenants() {
        let p = ca_policy(
            &json!({"id": "p", "conditions": {
                "insiderRiskLevels": "moderate,elevated",
                "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"},
                "users": {"excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
                    "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                        "membershipKind": "enumerated", "members": ["t1"]}}}}}),
            0,
        );
        assert_eq!(p.conditions.insider_risk_levels, ["moderate", "elevated"]);
        assert_eq!(p.conditions.transfer_methods, ["deviceCodeFlow", "authenticationTransfer"]);
        let g = p.conditions.users.unwrap().exclude_guests.unwrap();
        assert_eq!(g.types, ["internalGuest", "b2bCollaborationGuest"]);
        assert_eq!(g.tenants, ExternalTenants::Enumerated(vec!["t1".into()]));
        assert!(p.unrecognised.is_empty(), "{:?}", p.unrecognised);
        let odd = ca_policy(&json!("not a policy"), 3);
        assert_eq!((odd.id.as_str(), odd.unrecognised[0].path.as_str()), ("#3", "policy"));
    }
}
