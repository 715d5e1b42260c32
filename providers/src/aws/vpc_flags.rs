//! What `DescribeCluster`'s answer spelled out. The SDK reads an absent boolean as `false`, so
//! an answer without `endpointPublicAccess` would look like a private endpoint (NET-001…003
//! would pass): the body is read beside the SDK to tell absent from false.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::Deserialize;
use std::sync::{Arc, Mutex};

/// Whether the answer stated `endpointPublicAccess` and `endpointPrivateAccess`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stated {
    pub public: bool,
    pub private: bool,
}

/// A per-request interceptor recording [`Stated`] from the last answer's body.
#[derive(Clone, Debug, Default)]
pub struct VpcFlags(Arc<Mutex<Option<Stated>>>);

impl VpcFlags {
    /// `None` when no answer body was read as JSON (the SDK's reading then stands).
    pub fn stated(&self) -> Option<Stated> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Deserialize)]
struct Body {
    cluster: Option<ClusterBody>,
}

#[derive(Deserialize)]
struct ClusterBody {
    #[serde(rename = "resourcesVpcConfig")]
    vpc: Option<VpcBody>,
}

#[derive(Deserialize)]
struct VpcBody {
    #[serde(rename = "endpointPublicAccess")]
    public: Option<serde::de::IgnoredAny>,
    #[serde(rename = "endpointPrivateAccess")]
    private: Option<serde::de::IgnoredAny>,
}

/// What a `DescribeCluster` body states; `None` when it is not such a JSON body.
pub fn stated(body: &[u8]) -> Option<Stated> {
    let b: Body = serde_json::from_slice(body).ok()?;
    let vpc = b.cluster?.vpc?;
    Some(Stated { public: vpc.public.is_some(), private: vpc.private.is_some() })
}

impl Intercept for VpcFlags {
    fn name(&self) -> &'static str {
        "VpcFlags"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if response.status().is_success()
            && let Some(s) = response.body().bytes().and_then(stated)
        {
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(s);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_flags_are_told_from_false_ones() {
        let both = br#"{"cluster":{"name":"a","resourcesVpcConfig":{"endpointPublicAccess":false,"endpointPrivateAccess":true}}}"#;
        assert_eq!(stated(both), Some(Stated { public: true, private: true }));
        let none = br#"{"cluster":{"name":"a","resourcesVpcConfig":{"subnetIds":[]}}}"#;
        assert_eq!(stated(none), Some(Stated { public: false, private: false }));
        assert_eq!(stated(br#"{"cluster":{"name":"a"}}"#), None);
        assert_eq!(stated(b"not json"), None);
    }
}
