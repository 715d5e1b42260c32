//! A hypothetical request to evaluate a policy document against.

use std::collections::BTreeMap;

/// What a request says about one condition key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState<'a> {
    /// The key is in the request context with these values (one for single-valued keys).
    Present(&'a [String]),
    /// The request is known not to carry the key.
    Absent,
    /// The request may or may not carry the key, with any value: evaluated worst case.
    Unknown,
}

/// An API call as IAM would see it: action, calling principal, resource and context keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// `service:Action`, e.g. `sts:AssumeRoleWithWebIdentity`.
    pub action: String,
    /// The calling principal as `(type, value)`, e.g. `("Federated", provider ARN)`. `None`
    /// ignores `Principal`/`NotPrincipal` (identity policies have none).
    pub principal: Option<(String, String)>,
    /// The resource ARN. `None` ignores `Resource`/`NotResource` (trust policies have none).
    pub resource: Option<String>,
    /// Lower-cased key → `Some(values)` (present) or `None` (declared absent).
    context: BTreeMap<String, Option<Vec<String>>>,
}

impl Request {
    pub fn new(action: impl Into<String>) -> Self {
        Self { action: action.into(), ..Self::default() }
    }
    pub fn principal(mut self, kind: impl Into<String>, value: impl Into<String>) -> Self {
        self.principal = Some((kind.into(), value.into()));
        self
    }
    pub fn resource(mut self, arn: impl Into<String>) -> Self {
        self.resource = Some(arn.into());
        self
    }
    /// Sets a context key (case-insensitive) to a single value.
    pub fn with(self, key: &str, value: impl Into<String>) -> Self {
        self.with_values(key, vec![value.into()])
    }
    /// Sets a multi-valued context key (case-insensitive).
    pub fn with_values(mut self, key: &str, values: Vec<String>) -> Self {
        self.context.insert(key.to_lowercase(), Some(values));
        self
    }
    /// Declares that the request does not carry `key`.
    pub fn without(mut self, key: &str) -> Self {
        self.context.insert(key.to_lowercase(), None);
        self
    }
    /// What the request says about `key` (compared case-insensitively).
    pub fn key(&self, key: &str) -> KeyState<'_> {
        match self.context.get(&key.to_lowercase()) {
            Some(Some(values)) => KeyState::Present(values),
            Some(None) => KeyState::Absent,
            None => KeyState::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive() {
        let r = Request::new("s3:GetObject").with("Oidc.Example/ID:Sub", "x").without("aws:SourceIp");
        assert_eq!(r.key("oidc.example/id:SUB"), KeyState::Present(&["x".to_string()]));
        assert_eq!(r.key("AWS:SOURCEIP"), KeyState::Absent);
        assert_eq!(r.key("aws:PrincipalTag/team"), KeyState::Unknown);
    }
}
