//! Drives the mock's AWS side with the real AWS SDK for Rust (aws-config, aws-sdk-sts, -iam,
//! -ec2, -eks) through an endpoint override, as kubeposture does: every operation must parse
//! in the SDK with the estate's values, paginators must walk the mock's pages, throttling
//! must be absorbed by the SDK's standard retry, and faults must surface as SDK errors.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use std::collections::BTreeMap;
use std::time::Duration;

const KEY: &str = "AKIAMOCKTEST00000001";
const SECRET: &str = "test-only-secret-access-key-000000000000";
const PROD: &str = "111122223333";
const DEV: &str = "444455556666";
const IRSA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/C1"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/C1:sub":"system:serviceaccount:payments:api","oidc.eks.us-east-1.amazonaws.com/id/C1:aud":"sts.amazonaws.com"}}}]}"#;

const ESTATE: &str = r#"
estate: v1
aws:
  clusterVersions:
    - {clusterVersion: "1.29", versionStatus: UNSUPPORTED, endOfStandardSupportDate: "2025-03-23", endOfExtendedSupportDate: "2026-03-23"}
    - {clusterVersion: "1.30", versionStatus: EXTENDED_SUPPORT, releaseDate: "2024-05-23T00:00:00Z", endOfStandardSupportDate: "2025-07-23", endOfExtendedSupportDate: "2026-07-23"}
    - {clusterVersion: "1.33", versionStatus: STANDARD_SUPPORT, defaultVersion: true, endOfStandardSupportDate: "2026-07-29", endOfExtendedSupportDate: "2027-07-29"}
    - {clusterVersion: "1.34", versionStatus: STANDARD_SUPPORT, endOfStandardSupportDate: "2026-12-02", endOfExtendedSupportDate: "2027-12-02"}
  accounts:
    - accountId: "111122223333"
      regions: [us-east-1, eu-west-1]
      credentials:
        - {accessKeyId: AKIAMOCKTEST00000001, secretAccessKey: test-only-secret-access-key-000000000000, arn: "arn:aws:iam::111122223333:user/scanner", userId: AIDAMOCKSCANNER000001}
      assumableRoles:
        - arn: arn:aws:iam::111122223333:role/reader
      iam:
        oidcProviders:
          - Arn: arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/C1
            ClientIDList: [sts.amazonaws.com]
            ThumbprintList: [9e99a48a9960b14926bb7f3b02e22da2b0ab7280]
            CreateDate: "2024-02-01T10:00:00+01:00"
        roles:
          - Role:
              RoleName: eks-node
              Arn: arn:aws:iam::111122223333:role/eks-node
              CreateDate: "2024-01-15T08:00:00Z"
              AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}
              Tags: [{Key: team, Value: platform}]
              RoleLastUsed: {LastUsedDate: "2026-11-20T12:00:00Z", Region: us-east-1}
            AttachedPolicies:
              - {PolicyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"}
              - {PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess"}
              - {PolicyArn: "arn:aws:iam::111122223333:policy/node-extras"}
            RolePolicies:
              - {PolicyName: inline-a, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}}
              - {PolicyName: inline-b, PolicyDocument: "this is not JSON <&>"}
              - {PolicyName: inline-c, PolicyDocument: {Version: "2012-10-17", Statement: []}}
            InstanceProfiles:
              - {InstanceProfileName: eks-node-1, Arn: "arn:aws:iam::111122223333:instance-profile/eks-node-1"}
              - {InstanceProfileName: eks-node-2, Arn: "arn:aws:iam::111122223333:instance-profile/eks-node-2"}
              - {InstanceProfileName: eks-node-3, Arn: "arn:aws:iam::111122223333:instance-profile/eks-node-3"}
          - Role:
              RoleName: irsa-payments
              Arn: arn:aws:iam::111122223333:role/irsa-payments
              Path: /irsa/
              AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Federated: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/C1"}, Action: "sts:AssumeRoleWithWebIdentity", Condition: {StringEquals: {"oidc.eks.us-east-1.amazonaws.com/id/C1:sub": "system:serviceaccount:payments:api", "oidc.eks.us-east-1.amazonaws.com/id/C1:aud": sts.amazonaws.com}}}]}
          - Role:
              RoleName: reader
              Arn: arn:aws:iam::111122223333:role/reader
              AssumeRolePolicyDocument: "not { json"
              MaxSessionDuration: 7200
        policies:
          - Policy: {Arn: "arn:aws:iam::aws:policy/AdministratorAccess"}
            Versions: [{VersionId: v1, Document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}]
          - Policy: {Arn: "arn:aws:iam::111122223333:policy/node-extras", Description: "extra node permissions"}
            Versions:
              - {VersionId: v1, Document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ec2:*", Resource: "*"}]}, CreateDate: "2024-01-01T00:00:00Z"}
              - {VersionId: v2, IsDefaultVersion: true, Document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ec2:Describe*", Resource: "*"}]}}
      regional:
        us-east-1:
          launchTemplates:
            - LaunchTemplateId: lt-0abc0abc0abc0abc0
              LaunchTemplateName: nodes
              DefaultVersionNumber: 1
              Versions:
                - {VersionNumber: 1, CreateTime: "2024-01-01T00:00:00Z", LaunchTemplateData: {MetadataOptions: {HttpTokens: required, HttpPutResponseHopLimit: 1, HttpEndpoint: enabled}, IamInstanceProfile: {Arn: "arn:aws:iam::111122223333:instance-profile/eks-node-1"}}}
                - {VersionNumber: 2, LaunchTemplateData: {MetadataOptions: {HttpTokens: optional, HttpPutResponseHopLimit: 2, HttpEndpoint: enabled}, NetworkInterfaces: [{DeviceIndex: 0, Groups: [sg-1, sg-2]}]}}
          instances:
            - {InstanceId: i-0000000000000001, Tags: [{Key: "eks:nodegroup-name", Value: ng-a}], MetadataOptions: {State: applied, HttpTokens: optional, HttpPutResponseHopLimit: 2, HttpEndpoint: enabled}, IamInstanceProfile: {Arn: "arn:aws:iam::111122223333:instance-profile/eks-node-2", Id: AIPAMOCK000000000002}, LaunchTime: "2026-11-01T00:00:00Z"}
            - {InstanceId: i-0000000000000002, Tags: [{Key: "eks:nodegroup-name", Value: ng-a}], MetadataOptions: {State: applied, HttpTokens: optional, HttpPutResponseHopLimit: 2, HttpEndpoint: enabled}}
            - {InstanceId: i-0000000000000003, Tags: [{Key: "eks:nodegroup-name", Value: ng-a}], MetadataOptions: {State: applied, HttpTokens: optional, HttpPutResponseHopLimit: 2, HttpEndpoint: enabled}}
            - {InstanceId: i-0000000000000004, State: {Name: stopped}, Tags: [{Key: "eks:nodegroup-name", Value: ng-a}]}
            - {InstanceId: i-0000000000000005, Tags: [{Key: "eks:nodegroup-name", Value: ng-b}, {Key: team, Value: x}, {Key: "kubernetes.io/cluster/c1", Value: owned}]}
          clusters:
            - cluster:
                name: c1
                version: "1.33"
                createdAt: "2024-03-14T11:31:44.348000-04:00"
                resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: []}
                identity: {oidc: {issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/C1"}}
                accessConfig: {authenticationMode: API, bootstrapClusterCreatorAdminPermissions: false}
                encryptionConfig: [{resources: [secrets], provider: {keyArn: "arn:aws:kms:us-east-1:111122223333:key/k"}}]
                logging: {clusterLogging: [{types: [audit, authenticator], enabled: true}]}
                status: ACTIVE
              nodegroups:
                - {nodegroupName: ng-a, nodeRole: "arn:aws:iam::111122223333:role/eks-node", createdAt: 1710430304, launchTemplate: {id: lt-0abc0abc0abc0abc0, name: nodes, version: "2"}}
                - {nodegroupName: ng-b, nodeRole: "arn:aws:iam::111122223333:role/eks-node"}
              accessEntries:
                - accessEntry: {principalArn: "arn:aws:iam::111122223333:role/admins", createdAt: "2025-01-01T00:00:00Z", modifiedAt: "2025-01-02T00:00:00.25Z"}
                  accessPolicies:
                    - {policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: {type: cluster}, associatedAt: "2025-01-01T00:00:00Z", modifiedAt: "2025-01-01T00:00:00Z"}
                    - {policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", accessScope: {type: namespace, namespaces: [a, b]}, associatedAt: "2025-01-01T00:00:00Z", modifiedAt: "2025-01-01T00:00:00Z"}
                    - {policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", associatedAt: "2025-01-01T00:00:00Z", modifiedAt: "2025-01-01T00:00:00Z"}
                - accessEntry: {principalArn: "arn:aws:iam::111122223333:user/alice"}
                - accessEntry: {principalArn: "arn:aws:iam::111122223333:role/eks-node", type: EC2_LINUX}
              addons:
                - {addonName: vpc-cni, addonVersion: v1.19.2-eksbuild.1, configurationValues: '{"enableNetworkPolicy":"true"}', createdAt: "2025-01-01T00:00:00Z"}
                - {addonName: coredns, addonVersion: v1.11.4-eksbuild.2}
            - cluster: {name: c2, version: "1.30", accessConfig: {authenticationMode: CONFIG_MAP}}
            - cluster: {name: c3, version: "1.34", accessConfig: {authenticationMode: API_AND_CONFIG_MAP}}
        eu-west-1:
          clusters:
            - cluster: {name: eu1, version: "1.33", accessConfig: {authenticationMode: API}}
    - accountId: "444455556666"
      regions: [us-east-1]
      assumableRoles:
        - {arn: "arn:aws:iam::444455556666:role/reader", externalId: ext-123}
      iam:
        roles:
          - Role: {RoleName: reader, Arn: "arn:aws:iam::444455556666:role/reader", RoleId: AROADEVREADER00000001}
      regional:
        us-east-1:
          clusters:
            - cluster: {name: dev1, version: "1.34", accessConfig: {authenticationMode: API}}
"#;

fn estate() -> Estate {
    Estate::from_yaml(ESTATE).expect("test estate is valid")
}

async fn start(estate: Estate, page_size: usize, throttle_ratio: f64) -> MockCloud {
    let opts = MockOptions { page_size, throttle_ratio, ..MockOptions::default() };
    MockCloud::start(estate, opts).await.expect("mock starts")
}

/// An SDK config that trusts the mock's CA and sends everything to it.
async fn sdk(mock: &MockCloud, key: &str, secret: &str, region: &str) -> SdkConfig {
    let trust = TrustStore::empty().with_pem_certificate(mock.ca_pem().as_bytes());
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(TlsContext::builder().with_trust_store(trust).build().expect("tls context"))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .credentials_provider(Credentials::new(key, secret, None, None, "estate"))
        .region(Region::new(region.to_string()))
        .endpoint_url(mock.url())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .load()
        .await
}

async fn prod(mock: &MockCloud) -> SdkConfig {
    sdk(mock, KEY, SECRET, "us-east-1").await
}

/// The SDK config of a role assumed through aws-config's `AssumeRoleProvider`.
async fn assumed(base: &SdkConfig, role: &str, external_id: Option<&str>) -> SdkConfig {
    let mut b = aws_config::sts::AssumeRoleProvider::builder(role).session_name("kubeposture").configure(base);
    if let Some(e) = external_id {
        b = b.external_id(e);
    }
    let provider = b.build().await;
    base.to_builder().credentials_provider(aws_credential_types_provider(provider)).build()
}

fn aws_credential_types_provider(
    p: aws_config::sts::AssumeRoleProvider,
) -> aws_sdk_sts::config::SharedCredentialsProvider {
    aws_sdk_sts::config::SharedCredentialsProvider::new(p)
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

#[tokio::test]
async fn sts_caller_identity_and_assume_role() {
    let mock = start(estate(), 100, 0.0).await;
    let base = prod(&mock).await;
    let sts = aws_sdk_sts::Client::new(&base);
    let me = sts.get_caller_identity().send().await.expect("GetCallerIdentity");
    assert_eq!(me.account(), Some(PROD));
    assert_eq!(me.arn(), Some("arn:aws:iam::111122223333:user/scanner"));
    assert_eq!(me.user_id(), Some("AIDAMOCKSCANNER000001"));

    // Direct AssumeRole: credentials and assumed-role user as real STS returns them.
    let out = sts
        .assume_role()
        .role_arn("arn:aws:iam::111122223333:role/reader")
        .role_session_name("s1")
        .send()
        .await
        .expect("AssumeRole");
    let creds = out.credentials().expect("credentials");
    assert!(creds.access_key_id().starts_with("ASIA") && creds.access_key_id().len() == 20);
    assert_eq!(creds.secret_access_key().len(), 40);
    assert!(!creds.session_token().is_empty());
    let ahead = creds.expiration().secs() - aws_smithy_types::DateTime::from(std::time::SystemTime::now()).secs();
    assert!((3590..=3600).contains(&ahead), "{ahead}");
    let user = out.assumed_role_user().expect("assumed role user");
    assert_eq!(user.arn(), "arn:aws:sts::111122223333:assumed-role/reader/s1");
    assert!(user.assumed_role_id().starts_with("AROA") && user.assumed_role_id().ends_with(":s1"));

    // The dev role wants its external id.
    let dev_role = "arn:aws:iam::444455556666:role/reader";
    for ext in [None, Some("wrong")] {
        let err = sts
            .assume_role()
            .role_arn(dev_role)
            .role_session_name("s2")
            .set_external_id(ext.map(String::from))
            .send()
            .await;
        let err = err.expect_err("external id required");
        assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
        assert_eq!(
            err.message(),
            Some(
                "User: arn:aws:iam::111122223333:user/scanner is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/reader"
            )
        );
    }
    let err =
        sts.assume_role().role_arn("arn:aws:iam::111122223333:role/eks-node").role_session_name("s2").send().await;
    assert_eq!(err.expect_err("not assumable").code(), Some("AccessDenied"));

    // Through aws-config's AssumeRoleProvider, as the scanner does: the session acts in the
    // role's account, and the SDK sends the session token.
    let dev = assumed(&base, dev_role, Some("ext-123")).await;
    let me = aws_sdk_sts::Client::new(&dev).get_caller_identity().send().await.expect("as dev reader");
    assert_eq!(me.account(), Some(DEV));
    assert_eq!(me.arn(), Some("arn:aws:sts::444455556666:assumed-role/reader/kubeposture"));
    assert_eq!(me.user_id(), Some("AROADEVREADER00000001:kubeposture"));
    let clusters = aws_sdk_eks::Client::new(&dev).list_clusters().send().await.expect("dev clusters");
    assert_eq!(clusters.clusters(), ["dev1"]);

    // Unknown keys, and keys of a region the account has not enabled.
    let stranger = sdk(&mock, "AKIAUNKNOWN000000000", "x", "us-east-1").await;
    let err = aws_sdk_sts::Client::new(&stranger).get_caller_identity().send().await.expect_err("unknown key");
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    let err = aws_sdk_eks::Client::new(&stranger).list_clusters().send().await.expect_err("unknown key");
    assert_eq!(err.code(), Some("UnrecognizedClientException"));
    let err = aws_sdk_ec2::Client::new(&stranger).describe_regions().send().await.expect_err("unknown key");
    assert_eq!(err.code(), Some("AuthFailure"));
    let far = sdk(&mock, KEY, SECRET, "ap-south-1").await;
    let err = aws_sdk_eks::Client::new(&far).list_clusters().send().await.expect_err("region not enabled");
    assert_eq!(err.code(), Some("UnrecognizedClientException"));

    let counters = mock.counters();
    assert_eq!(counters.get("sts:AssumeRole@111122223333"), Some(&5));
    assert_eq!(counters.get("sts:GetCallerIdentity@444455556666"), Some(&1));
    assert_eq!(counters.get("eks:ListClusters@444455556666"), Some(&1));
    mock.shutdown().await;
}

#[tokio::test]
async fn iam_operations_parse_in_the_sdk() {
    let mock = start(estate(), 1, 0.0).await;
    let iam = aws_sdk_iam::Client::new(&prod(&mock).await);

    let roles: Vec<_> = iam.list_roles().into_paginator().items().send().try_collect().await.expect("ListRoles pages");
    let names: Vec<&str> = roles.iter().map(|r| r.role_name()).collect();
    assert_eq!(names, ["eks-node", "irsa-payments", "reader"]);
    assert_eq!(mock.counters().get("iam:ListRoles@111122223333"), Some(&3), "one call per page of 1");
    let irsa = &roles[1];
    let doc = irsa.assume_role_policy_document().expect("trust document");
    assert!(doc.starts_with("%7B%22Version%22%3A%222012-10-17%22"), "URL-encoded on the wire: {doc}");
    assert_eq!(url_decode(doc), IRSA_TRUST, "decodes to the estate's JSON, keys in estate order");
    assert_eq!(irsa.path(), "/irsa/");
    assert!(irsa.role_id().starts_with("AROA"));
    assert_eq!(url_decode(roles[2].assume_role_policy_document().expect("doc")), "not { json");
    assert!(roles[0].tags().is_empty() && roles[0].role_last_used().is_none(), "ListRoles leaves them out");
    let filtered = iam.list_roles().path_prefix("/irsa/").send().await.expect("PathPrefix");
    assert_eq!(filtered.roles().len(), 1);

    let node = iam.get_role().role_name("eks-node").send().await.expect("GetRole");
    let node = node.role().expect("role");
    assert_eq!(node.tags()[0].key(), "team");
    assert_eq!(node.role_last_used().and_then(|u| u.region()), Some("us-east-1"));
    assert_eq!(node.create_date().secs(), 1_705_305_600);
    assert_eq!(node.max_session_duration(), Some(3600));
    let err = iam.get_role().role_name("nope").send().await.expect_err("missing role");
    assert_eq!(err.code(), Some("NoSuchEntity"));
    assert_eq!(err.message(), Some("The role with name nope cannot be found."));
    assert!(err.into_service_error().is_no_such_entity_exception());

    let providers = iam.list_open_id_connect_providers().send().await.expect("ListOpenIDConnectProviders");
    let arn = providers.open_id_connect_provider_list()[0].arn().expect("arn").to_string();
    let p = iam.get_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.expect("GetOIDC");
    assert_eq!(p.url(), Some("oidc.eks.us-east-1.amazonaws.com/id/C1"));
    assert_eq!(p.client_id_list(), ["sts.amazonaws.com"]);
    assert_eq!(p.thumbprint_list(), ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]);
    assert_eq!(p.create_date().map(|d| d.secs()), Some(1_706_778_000));

    let attached: Vec<_> = iam
        .list_attached_role_policies()
        .role_name("eks-node")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListAttachedRolePolicies pages");
    let arns: Vec<_> = attached.iter().filter_map(|p| p.policy_arn()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::111122223333:policy/node-extras"
        ]
    );
    assert_eq!(attached[1].policy_name(), Some("AdministratorAccess"));
    let inline: Vec<String> = iam
        .list_role_policies()
        .role_name("eks-node")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListRolePolicies pages");
    assert_eq!(inline, ["inline-a", "inline-b", "inline-c"]);
    let b = iam.get_role_policy().role_name("eks-node").policy_name("inline-b").send().await.expect("GetRolePolicy");
    assert_eq!(url_decode(b.policy_document()), "this is not JSON <&>");
    let a = iam.get_role_policy().role_name("eks-node").policy_name("inline-a").send().await.expect("GetRolePolicy");
    assert_eq!(
        url_decode(a.policy_document()),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
    );

    let policy =
        iam.get_policy().policy_arn("arn:aws:iam::111122223333:policy/node-extras").send().await.expect("GetPolicy");
    let policy = policy.policy().expect("policy");
    assert_eq!((policy.default_version_id(), policy.attachment_count()), (Some("v2"), Some(1)));
    assert_eq!(policy.description(), Some("extra node permissions"));
    let v = iam
        .get_policy_version()
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .version_id("v1")
        .send()
        .await
        .expect("GetPolicyVersion");
    let v = v.policy_version().expect("version");
    assert!(v.is_default_version());
    assert_eq!(
        url_decode(v.document().expect("document")),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
    );
    let err = iam
        .get_policy_version()
        .policy_arn("arn:aws:iam::111122223333:policy/node-extras")
        .version_id("v9")
        .send()
        .await
        .expect_err("no v9");
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let err = iam.get_policy().policy_arn("arn:aws:iam::aws:policy/NotInEstate").send().await.expect_err("unknown");
    assert_eq!(err.code(), Some("NoSuchEntity"));

    let profiles: Vec<_> = iam
        .list_instance_profiles_for_role()
        .role_name("eks-node")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListInstanceProfilesForRole pages");
    assert_eq!(profiles.len(), 3);
    assert_eq!(profiles[0].instance_profile_name(), "eks-node-1");
    assert!(profiles[0].instance_profile_id().starts_with("AIPA"));
    assert_eq!(profiles[0].roles()[0].role_name(), "eks-node");

    let err = iam.list_roles().marker("not-a-marker").send().await.expect_err("bad marker");
    assert_eq!(err.code(), Some("InvalidInput"));
    mock.shutdown().await;
}

#[tokio::test]
async fn ec2_operations_parse_in_the_sdk() {
    let mock = start(estate(), 1, 0.0).await;
    let ec2 = aws_sdk_ec2::Client::new(&prod(&mock).await);

    let regions = ec2.describe_regions().send().await.expect("DescribeRegions");
    let names: Vec<_> = regions.regions().iter().filter_map(|r| r.region_name()).collect();
    assert_eq!(names, ["us-east-1", "eu-west-1"]);
    assert_eq!(regions.regions()[0].endpoint(), Some("ec2.us-east-1.amazonaws.com"));
    assert_eq!(regions.regions()[0].opt_in_status(), Some("opt-in-not-required"));

    let versions = ec2
        .describe_launch_template_versions()
        .launch_template_id("lt-0abc0abc0abc0abc0")
        .versions("$Latest")
        .versions("$Default")
        .send()
        .await
        .expect("DescribeLaunchTemplateVersions");
    let vs = versions.launch_template_versions();
    assert_eq!(vs.len(), 1, "one per page");
    assert_eq!(vs[0].version_number(), Some(2));
    assert_eq!(vs[0].default_version(), Some(false));
    let md = vs[0].launch_template_data().and_then(|d| d.metadata_options()).expect("metadata options");
    assert_eq!(md.http_tokens().map(|t| t.as_str()), Some("optional"));
    assert_eq!(md.http_put_response_hop_limit(), Some(2));
    let nics = vs[0].launch_template_data().expect("data").network_interfaces();
    assert_eq!(nics[0].groups(), ["sg-1", "sg-2"]);
    let all: Vec<_> = ec2
        .describe_launch_template_versions()
        .launch_template_name("nodes")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("all versions");
    assert_eq!(all.iter().filter_map(|v| v.version_number()).collect::<Vec<_>>(), [2, 1]);
    let v1 = &all[1];
    assert_eq!(v1.default_version(), Some(true));
    assert_eq!(v1.create_time().map(|t| t.secs()), Some(1_704_067_200));
    let d = v1.launch_template_data().expect("data");
    assert_eq!(d.metadata_options().and_then(|m| m.http_tokens()).map(|t| t.as_str()), Some("required"));
    assert_eq!(
        d.iam_instance_profile().and_then(|p| p.arn()),
        Some("arn:aws:iam::111122223333:instance-profile/eks-node-1")
    );
    let err = ec2.describe_launch_template_versions().launch_template_id("lt-0000000000000000f").send().await;
    assert_eq!(err.expect_err("no such template").code(), Some("InvalidLaunchTemplateId.NotFound"));
    let err = ec2.describe_launch_template_versions().launch_template_name("nope").send().await;
    assert_eq!(err.expect_err("no such template").code(), Some("InvalidLaunchTemplateName.NotFoundException"));

    let filter = |name: &str, value: &str| aws_sdk_ec2::types::Filter::builder().name(name).values(value).build();
    let running: Vec<_> = ec2
        .describe_instances()
        .filters(filter("tag:eks:nodegroup-name", "ng-a"))
        .filters(filter("instance-state-name", "running"))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("DescribeInstances pages");
    assert_eq!(running.len(), 3, "three pages of one reservation");
    let first = &running[0];
    assert_eq!(first.owner_id(), Some(PROD));
    let inst = &first.instances()[0];
    assert_eq!(inst.instance_id(), Some("i-0000000000000001"));
    assert_eq!(inst.state().and_then(|s| s.name()).map(|n| n.as_str()), Some("running"));
    assert_eq!(inst.state().and_then(|s| s.code()), Some(16));
    let md = inst.metadata_options().expect("metadata options");
    assert_eq!(md.http_tokens().map(|t| t.as_str()), Some("optional"));
    assert_eq!(md.http_put_response_hop_limit(), Some(2));
    assert_eq!(md.http_endpoint().map(|t| t.as_str()), Some("enabled"));
    assert_eq!(md.state().map(|t| t.as_str()), Some("applied"));
    let profile = inst.iam_instance_profile().expect("instance profile");
    assert_eq!(profile.arn(), Some("arn:aws:iam::111122223333:instance-profile/eks-node-2"));
    assert_eq!(profile.id(), Some("AIPAMOCK000000000002"));
    assert_eq!(inst.tags()[0].key(), Some("eks:nodegroup-name"));
    assert_eq!(inst.launch_time().map(|t| t.secs()), Some(1_793_491_200));
    let tagged = ec2.describe_instances().filters(filter("tag-key", "team")).send().await.expect("tag-key");
    assert_eq!(tagged.reservations()[0].instances()[0].instance_id(), Some("i-0000000000000005"));
    let by_id = ec2.describe_instances().instance_ids("i-0000000000000004").send().await.expect("by id");
    assert_eq!(by_id.reservations()[0].instances()[0].state().and_then(|s| s.code()), Some(80));
    let err = ec2.describe_instances().instance_ids("i-00000000000000ff").send().await.expect_err("missing");
    assert_eq!(err.code(), Some("InvalidInstanceID.NotFound"));
    let err = ec2.describe_instances().filters(filter("made-up", "x")).send().await.expect_err("filter");
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert_eq!(mock.counters().get("ec2:DescribeInstances@111122223333"), Some(&7));
    mock.shutdown().await;
}

#[tokio::test]
async fn eks_operations_parse_in_the_sdk() {
    let mock = start(estate(), 1, 0.0).await;
    let eks = aws_sdk_eks::Client::new(&prod(&mock).await);

    let names: Vec<String> =
        eks.list_clusters().into_paginator().items().send().try_collect().await.expect("ListClusters pages");
    assert_eq!(names, ["c1", "c2", "c3"]);
    assert_eq!(mock.counters().get("eks:ListClusters@111122223333"), Some(&3));
    let c1 = eks.describe_cluster().name("c1").send().await.expect("DescribeCluster");
    let c1 = c1.cluster().expect("cluster");
    assert_eq!(c1.arn(), Some("arn:aws:eks:us-east-1:111122223333:cluster/c1"));
    let created = c1.created_at().expect("createdAt is a DateTime");
    assert_eq!((created.secs(), created.subsec_nanos() / 1_000_000), (1_710_430_304, 348));
    let vpc = c1.resources_vpc_config().expect("vpc config");
    assert_eq!((vpc.endpoint_public_access(), vpc.endpoint_private_access()), (false, true));
    let access = c1.access_config().expect("access config");
    assert_eq!(access.authentication_mode().map(|m| m.as_str()), Some("API"));
    assert_eq!(access.bootstrap_cluster_creator_admin_permissions(), Some(false));
    assert_eq!(
        c1.identity().and_then(|i| i.oidc()).and_then(|o| o.issuer()),
        Some("https://oidc.eks.us-east-1.amazonaws.com/id/C1")
    );
    assert_eq!(c1.encryption_config()[0].resources(), ["secrets"]);
    let err = eks.describe_cluster().name("nope").send().await.expect_err("missing cluster");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
    assert_eq!(err.message(), Some("No cluster found for name: nope."));
    assert!(err.into_service_error().is_resource_not_found_exception());

    let ngs: Vec<String> =
        eks.list_nodegroups().cluster_name("c1").into_paginator().items().send().try_collect().await.expect("ngs");
    assert_eq!(ngs, ["ng-a", "ng-b"]);
    let ng =
        eks.describe_nodegroup().cluster_name("c1").nodegroup_name("ng-a").send().await.expect("DescribeNodegroup");
    let ng = ng.nodegroup().expect("nodegroup");
    assert_eq!(ng.node_role(), Some("arn:aws:iam::111122223333:role/eks-node"));
    assert_eq!(ng.created_at().map(|t| t.secs()), Some(1_710_430_304));
    let lt = ng.launch_template().expect("launch template");
    assert_eq!((lt.id(), lt.version()), (Some("lt-0abc0abc0abc0abc0"), Some("2")));
    let err = eks.describe_nodegroup().cluster_name("c1").nodegroup_name("x").send().await.expect_err("no ng");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));

    let entries: Vec<String> = eks
        .list_access_entries()
        .cluster_name("c1")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListAccessEntries pages");
    assert_eq!(entries.len(), 3);
    let admins = "arn:aws:iam::111122223333:role/admins";
    let e =
        eks.describe_access_entry().cluster_name("c1").principal_arn(admins).send().await.expect("DescribeAccessEntry");
    let e = e.access_entry().expect("entry");
    assert_eq!(e.principal_arn(), Some(admins));
    assert_eq!(e.username(), Some("arn:aws:sts::111122223333:assumed-role/admins/{{SessionName}}"));
    assert_eq!(e.modified_at().map(|t| t.subsec_nanos() / 1_000_000), Some(250));
    let policies: Vec<_> = eks
        .list_associated_access_policies()
        .cluster_name("c1")
        .principal_arn(admins)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListAssociatedAccessPolicies pages");
    assert_eq!(policies.len(), 3);
    assert_eq!(policies[0].policy_arn(), Some("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"));
    let scope = policies[1].access_scope().expect("scope");
    assert_eq!(
        (scope.r#type().map(|t| t.as_str()), scope.namespaces()),
        (Some("namespace"), &["a".to_string(), "b".to_string()][..])
    );
    assert_eq!(policies[2].access_scope().and_then(|s| s.r#type()).map(|t| t.as_str()), Some("cluster"));
    let one =
        eks.list_associated_access_policies().cluster_name("c1").principal_arn(admins).send().await.expect("page");
    assert_eq!((one.cluster_name(), one.principal_arn()), (Some("c1"), Some(admins)));
    let err =
        eks.describe_access_entry().cluster_name("c1").principal_arn("arn:aws:iam::111122223333:role/x").send().await;
    assert_eq!(err.expect_err("no entry").code(), Some("ResourceNotFoundException"));
    let err = eks.list_access_entries().cluster_name("c2").send().await.expect_err("CONFIG_MAP");
    assert_eq!(err.code(), Some("InvalidRequestException"));
    assert_eq!(
        err.message(),
        Some(
            "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."
        )
    );
    let c3 = eks.list_access_entries().cluster_name("c3").send().await.expect("API_AND_CONFIG_MAP");
    assert!(c3.access_entries().is_empty());

    let addons: Vec<String> =
        eks.list_addons().cluster_name("c1").into_paginator().items().send().try_collect().await.expect("addons");
    assert_eq!(addons, ["vpc-cni", "coredns"]);
    let cni = eks.describe_addon().cluster_name("c1").addon_name("vpc-cni").send().await.expect("DescribeAddon");
    let cni = cni.addon().expect("addon");
    assert_eq!(cni.configuration_values(), Some(r#"{"enableNetworkPolicy":"true"}"#));
    assert_eq!(cni.created_at().map(|t| t.secs()), Some(1_735_689_600));

    let versions: Vec<_> = eks
        .describe_cluster_versions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("DescribeClusterVersions pages");
    let vs: Vec<_> = versions.iter().filter_map(|v| v.cluster_version()).collect();
    assert_eq!(vs, ["1.30", "1.33", "1.34"], "unsupported versions only with includeAll");
    assert_eq!(versions[0].version_status().map(|s| s.as_str()), Some("EXTENDED_SUPPORT"));
    assert_eq!(versions[0].status().map(|s| s.as_str()), Some("extended-support"));
    assert_eq!(versions[0].end_of_standard_support_date().map(|d| d.secs()), Some(1_753_228_800));
    let all: Vec<_> = eks
        .describe_cluster_versions()
        .include_all(true)
        .max_results(10)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("includeAll");
    assert_eq!(all.len(), 4);
    let picked = eks
        .describe_cluster_versions()
        .cluster_versions("1.29")
        .cluster_versions("1.34")
        .send()
        .await
        .expect("clusterVersions");
    assert_eq!(picked.cluster_versions().len(), 1, "page size 1");
    assert!(picked.next_token().is_some());
    let std = eks
        .describe_cluster_versions()
        .version_status(aws_sdk_eks::types::VersionStatus::StandardSupport)
        .max_results(50)
        .send()
        .await
        .expect("versionStatus");
    assert_eq!(std.cluster_versions().len(), 1, "page size 1 still applies");
    let default = eks.describe_cluster_versions().default_only(true).send().await.expect("defaultOnly");
    assert_eq!(default.cluster_versions()[0].cluster_version(), Some("1.33"));

    let err = eks.list_clusters().next_token("bogus").send().await.expect_err("bad token");
    assert_eq!(err.code(), Some("InvalidParameterException"));

    let eu = aws_sdk_eks::Client::new(&sdk(&mock, KEY, SECRET, "eu-west-1").await);
    assert_eq!(eu.list_clusters().send().await.expect("eu").clusters(), ["eu1"]);
    mock.shutdown().await;
}

/// What a scan of the test estate reads, as comparable strings.
async fn scan(config: &SdkConfig) -> Vec<String> {
    let eks = aws_sdk_eks::Client::new(config);
    let iam = aws_sdk_iam::Client::new(config);
    let ec2 = aws_sdk_ec2::Client::new(config);
    let sts = aws_sdk_sts::Client::new(config);
    let mut out = vec![format!("{:?}", sts.get_caller_identity().send().await.expect("identity").arn())];
    let clusters: Vec<String> =
        eks.list_clusters().into_paginator().items().send().try_collect().await.expect("clusters");
    for c in &clusters {
        let d = eks.describe_cluster().name(c).send().await.expect("cluster");
        out.push(format!("{:?}", d.cluster().map(|c| (c.version(), c.created_at(), c.access_config()))));
        let ngs: Vec<String> =
            eks.list_nodegroups().cluster_name(c).into_paginator().items().send().try_collect().await.expect("ngs");
        for ng in ngs {
            let n = eks.describe_nodegroup().cluster_name(c).nodegroup_name(ng).send().await.expect("ng");
            out.push(format!("{:?}", n.nodegroup().map(|n| (n.node_role(), n.launch_template()))));
        }
        let addons: Vec<String> =
            eks.list_addons().cluster_name(c).into_paginator().items().send().try_collect().await.expect("addons");
        out.push(format!("{addons:?}"));
    }
    let roles: Vec<_> = iam.list_roles().into_paginator().items().send().try_collect().await.expect("roles");
    for r in &roles {
        out.push(format!("{} {:?}", r.role_name(), r.assume_role_policy_document()));
        let attached: Vec<_> = iam
            .list_attached_role_policies()
            .role_name(r.role_name())
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .expect("attached");
        out.push(format!("{attached:?}"));
    }
    let instances: Vec<_> =
        ec2.describe_instances().into_paginator().items().send().try_collect().await.expect("instances");
    out.push(format!(
        "{:?}",
        instances
            .iter()
            .flat_map(|r| r.instances())
            .map(|i| (i.instance_id(), i.metadata_options()))
            .collect::<Vec<_>>()
    ));
    let lts: Vec<_> = ec2
        .describe_launch_template_versions()
        .launch_template_id("lt-0abc0abc0abc0abc0")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("lt versions");
    out.push(format!("{:?}", lts.iter().map(|v| (v.version_number(), v.launch_template_data())).collect::<Vec<_>>()));
    let versions: Vec<_> =
        eks.describe_cluster_versions().into_paginator().items().send().try_collect().await.expect("versions");
    out.push(format!("{versions:?}"));
    out
}

#[tokio::test]
async fn throttling_is_absorbed_by_the_sdk_retry() {
    let calm = start(estate(), 2, 0.0).await;
    let want = scan(&prod(&calm).await).await;
    calm.shutdown().await;

    let busy = start(estate(), 2, 0.3).await;
    let base = prod(&busy).await;
    let got = scan(&base).await;
    assert_eq!(got, want, "same results through 30% throttling");
    // Session credentials through a throttled STS.
    let dev = assumed(&base, "arn:aws:iam::444455556666:role/reader", Some("ext-123")).await;
    let me = aws_sdk_sts::Client::new(&dev).get_caller_identity().send().await.expect("as dev");
    assert_eq!(me.account(), Some(DEV));
    // A scan makes few calls per service: call each more until its throttling answer has
    // been exercised (and absorbed) at least once, whatever the seed.
    let throttled_yet = |service: &str| {
        busy.counters().keys().any(|k| k.starts_with(service) && k.ends_with(":throttled") && !k.contains('@'))
    };
    for _ in 0..40 {
        if !throttled_yet("sts:") {
            aws_sdk_sts::Client::new(&dev).get_caller_identity().send().await.expect("sts");
        }
        if !throttled_yet("iam:") {
            aws_sdk_iam::Client::new(&base).list_open_id_connect_providers().send().await.expect("iam");
        }
        if !throttled_yet("ec2:") {
            aws_sdk_ec2::Client::new(&base).describe_regions().send().await.expect("ec2");
        }
        if !throttled_yet("eks:") {
            aws_sdk_eks::Client::new(&base).list_clusters().send().await.expect("eks");
        }
    }
    let counters = busy.counters();
    let throttled: BTreeMap<&str, u64> = counters
        .iter()
        .filter(|(k, _)| k.ends_with(":throttled") && !k.contains('@'))
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    for service in ["eks:", "iam:", "ec2:", "sts:"] {
        assert!(throttled.keys().any(|k| k.starts_with(service)), "{service} throttled at least once: {throttled:?}");
    }
    busy.shutdown().await;
}

#[tokio::test]
async fn faults_surface_as_sdk_errors() {
    let mut yaml = ESTATE.to_string();
    yaml.push_str(
        r#"
faults:
  - {operation: "eks:ListAccessEntries", cluster: c1, status: 403, code: AccessDeniedException}
  - {operation: "iam:GetPolicyVersion", policy: "arn:aws:iam::aws:policy/AdministratorAccess", status: 404, code: NoSuchEntity}
  - {operation: "ec2:DescribeInstances", cluster: c1, status: 403}
  - {operation: "iam:ListRoles", page: 2, malformed: true}
  - {operation: "sts:AssumeRole", role: "arn:aws:iam::444455556666:role/reader", status: 503, code: ServiceUnavailable, times: 2}
"#,
    );
    let mock = start(Estate::from_yaml(&yaml).expect("estate with faults"), 2, 0.0).await;
    let base = prod(&mock).await;
    let eks = aws_sdk_eks::Client::new(&base);
    let err = eks.list_access_entries().cluster_name("c1").send().await.expect_err("denied");
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert_eq!(
        err.message(),
        Some(
            "User: arn:aws:iam::111122223333:user/scanner is not authorized to perform: eks:ListAccessEntries on resource: arn:aws:eks:us-east-1:111122223333:cluster/c1 because no identity-based policy allows the eks:ListAccessEntries action"
        )
    );
    assert!(err.into_service_error().meta().code() == Some("AccessDeniedException"));
    assert!(eks.list_access_entries().cluster_name("c3").send().await.is_ok(), "other clusters unaffected");

    let iam = aws_sdk_iam::Client::new(&base);
    let err = iam
        .get_policy_version()
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .version_id("v1")
        .send()
        .await
        .expect_err("fault");
    assert_eq!(err.code(), Some("NoSuchEntity"));
    assert!(err.into_service_error().is_no_such_entity_exception());
    let pages: Result<Vec<_>, _> = iam.list_roles().into_paginator().items().send().try_collect().await;
    assert!(pages.is_err(), "page 2 is malformed");

    // `cluster` selects the page that holds a node of c1 (i-…5), whatever the request filters.
    let ec2 = aws_sdk_ec2::Client::new(&base);
    let ng = |name: &str| aws_sdk_ec2::types::Filter::builder().name("tag:eks:nodegroup-name").values(name).build();
    let err = ec2.describe_instances().filters(ng("ng-b")).send().await.expect_err("fault");
    assert_eq!(err.code(), Some("UnauthorizedOperation"));
    assert!(ec2.describe_instances().filters(ng("ng-a")).send().await.is_ok(), "no node of c1 on that page");

    // A 503 is retried by the SDK: two failures, then the role is assumed.
    let dev = assumed(&base, "arn:aws:iam::444455556666:role/reader", Some("ext-123")).await;
    let me = aws_sdk_sts::Client::new(&dev).get_caller_identity().send().await.expect("after retries");
    assert_eq!(me.account(), Some(DEV));
    let counters = mock.counters();
    assert_eq!(counters.get("sts:AssumeRole:fault"), Some(&2));
    assert_eq!(counters.get("eks:ListAccessEntries@111122223333:fault"), Some(&1));
    mock.shutdown().await;
}

/// The bundled demo estate, walked like a scan: every resource parses in the SDK, and only the
/// one injected access-entry fault fails.
#[tokio::test]
async fn demo_estate_scans_with_the_sdk() {
    let demo = Estate::demo();
    let login = demo.aws_credentials().expect("demo AWS login");
    let mock = start(demo, 100, 0.0).await;
    let base = sdk(&mock, &login.access_key_id, &login.secret_access_key, "us-east-1").await;
    let mut clusters = vec![];
    let mut denied = vec![];
    for role in &login.roles {
        let config = assumed(&base, &role.role_arn, role.external_id.as_deref()).await;
        let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.expect("assumed");
        let account = me.account().expect("account").to_string();
        let regions = aws_sdk_ec2::Client::new(&config).describe_regions().send().await.expect("regions");
        let iam = aws_sdk_iam::Client::new(&config);
        let roles: Vec<_> = iam.list_roles().into_paginator().items().send().try_collect().await.expect("roles");
        assert!(roles.len() >= 5, "{account}: {} roles", roles.len());
        for r in &roles {
            assert!(r.assume_role_policy_document().is_some(), "{}", r.role_name());
            let attached = iam.list_attached_role_policies().role_name(r.role_name()).send().await.expect("attached");
            for p in attached.attached_policies() {
                let arn = p.policy_arn().expect("arn");
                let policy = iam.get_policy().policy_arn(arn).send().await.expect(arn);
                let v = policy.policy().and_then(|p| p.default_version_id()).expect("default version");
                let doc = iam.get_policy_version().policy_arn(arn).version_id(v).send().await.expect("version");
                assert!(doc.policy_version().and_then(|v| v.document()).is_some_and(|d| d.starts_with("%7B")));
            }
        }
        for p in iam.list_open_id_connect_providers().send().await.expect("oidc").open_id_connect_provider_list() {
            let arn = p.arn().expect("arn");
            iam.get_open_id_connect_provider().open_id_connect_provider_arn(arn).send().await.expect(arn);
        }
        for region in regions.regions().iter().filter_map(|r| r.region_name()) {
            let rc = config.to_builder().region(Region::new(region.to_string())).build();
            let eks = aws_sdk_eks::Client::new(&rc);
            let ec2 = aws_sdk_ec2::Client::new(&rc);
            let versions = eks.describe_cluster_versions().send().await.expect("versions");
            assert_eq!(versions.cluster_versions().len(), 5);
            for name in eks.list_clusters().send().await.expect("clusters").clusters() {
                let c = eks.describe_cluster().name(name).send().await.expect("cluster");
                assert!(c.cluster().and_then(|c| c.created_at()).is_some());
                clusters.push(format!("{account}/{region}/{name}"));
                for ng in eks.list_nodegroups().cluster_name(name).send().await.expect("ngs").nodegroups() {
                    let n = eks.describe_nodegroup().cluster_name(name).nodegroup_name(ng).send().await.expect("ng");
                    if let Some(lt) = n.nodegroup().and_then(|n| n.launch_template()) {
                        let mut req =
                            ec2.describe_launch_template_versions().set_launch_template_id(lt.id().map(String::from));
                        if lt.id().is_none() {
                            req = req.set_launch_template_name(lt.name().map(String::from));
                        }
                        let v = req.versions(lt.version().unwrap_or("$Default")).send().await.expect("lt version");
                        assert_eq!(v.launch_template_versions().len(), 1);
                    }
                    let tag = aws_sdk_ec2::types::Filter::builder().name("tag:eks:nodegroup-name").values(ng).build();
                    ec2.describe_instances().filters(tag).send().await.expect("instances");
                }
                for a in eks.list_addons().cluster_name(name).send().await.expect("addons").addons() {
                    eks.describe_addon().cluster_name(name).addon_name(a).send().await.expect("addon");
                }
                match eks.list_access_entries().cluster_name(name).send().await {
                    Ok(entries) => {
                        for p in entries.access_entries() {
                            eks.describe_access_entry()
                                .cluster_name(name)
                                .principal_arn(p)
                                .send()
                                .await
                                .expect("entry");
                            let policies = eks.list_associated_access_policies().cluster_name(name).principal_arn(p);
                            policies.send().await.expect("access policies");
                        }
                    }
                    Err(e) if e.code() == Some("InvalidRequestException") => {}
                    Err(e) => denied.push(format!("{name}: {:?}", e.code())),
                }
            }
        }
    }
    assert_eq!(clusters.len(), 6, "{clusters:?}");
    assert_eq!(denied, ["eks-dev-sandbox: Some(\"AccessDeniedException\")"]);
    let counters = mock.counters();
    assert_eq!(counters.get("iam:ListRoles@111122223333"), Some(&1));
    assert_eq!(counters.get("iam:ListRoles@444455556666"), Some(&1));
    mock.shutdown().await;
}

/// Small, fast-refilling buckets: throttling shows after a few calls and clears within the
/// SDK's retries.
fn tight_limits() -> kubeposture_mocks::RateLimits {
    let b = kubeposture_mocks::ratelimit::Bucket::new(3.0, 20.0);
    kubeposture_mocks::RateLimits {
        ec2_non_mutating: b,
        ec2_unfiltered: b,
        aws_other: b,
        ..kubeposture_mocks::RateLimits::published()
    }
}

#[tokio::test]
async fn rate_limits_answer_each_services_throttling_error() {
    let mut e = estate();
    e.aws.organization = None;
    let opts = MockOptions { rate_limits: Some(tight_limits()), ..MockOptions::default() };
    let mock = MockCloud::start(e, opts).await.expect("mock starts");
    let base = prod(&mock).await;
    let once = base.to_builder().retry_config(RetryConfig::disabled()).build();
    // Past the bucket without retries: the service's own throttling code.
    let eks = aws_sdk_eks::Client::new(&once);
    let mut codes = BTreeMap::new();
    for _ in 0..20 {
        if let Err(e) = eks.list_clusters().send().await {
            *codes.entry(e.code().unwrap_or("?").to_string()).or_insert(0) += 1;
        }
        if let Err(e) = aws_sdk_iam::Client::new(&once).list_open_id_connect_providers().send().await {
            *codes.entry(e.code().unwrap_or("?").to_string()).or_insert(0) += 1;
        }
        if let Err(e) = aws_sdk_ec2::Client::new(&once).describe_regions().send().await {
            *codes.entry(e.code().unwrap_or("?").to_string()).or_insert(0) += 1;
        }
    }
    let got: Vec<&str> = codes.keys().map(String::as_str).collect();
    assert_eq!(got, ["RequestLimitExceeded", "Throttling", "ThrottlingException"], "{codes:?}");
    // With retries (backing off longer than a token takes to come back) the SDK absorbs them:
    // calls faster than the refill all succeed.
    let patient = base
        .to_builder()
        .retry_config(RetryConfig::standard().with_max_attempts(10).with_max_backoff(Duration::from_millis(200)))
        .build();
    let eks = aws_sdk_eks::Client::new(&patient);
    for _ in 0..20 {
        eks.list_clusters().send().await.expect("retried past the throttling");
    }
    let stats = mock.rate_limit_stats();
    let list = stats.iter().find(|s| s.key == "aws/111122223333/us-east-1/ListClusters").expect("bucket");
    assert!(list.throttled_calls > 0 && list.admitted_calls >= 21, "{list:?}");
    mock.shutdown().await;
}

#[tokio::test]
async fn organizations_list_accounts_pages_in_the_sdk() {
    let mut e = estate();
    let org: serde_json::Value = serde_json::json!({
        "id": "o-abcdefghij",
        "managementAccountId": PROD,
        "organizationalUnits": [{"Id": "ou-abcd-11111111", "Name": "Dev"}],
        "accounts": [
            {"Id": PROD, "Name": "prod", "Email": "prod@example.com"},
            {"Id": DEV, "Name": "dev", "Status": "SUSPENDED", "Parent": "ou-abcd-11111111"}
        ]
    });
    let mut org: kubeposture_mocks::aws::organizations::Organization = serde_json::from_value(org).unwrap();
    org.prepare().unwrap();
    e.aws.organization = Some(org);
    let mock = start(e, 1, 0.0).await;
    let orgs = aws_sdk_organizations::Client::new(&prod(&mock).await);
    let pages: Vec<_> = orgs.list_accounts().into_paginator().send().try_collect().await.expect("accounts");
    assert_eq!(pages.len(), 2, "one account a page");
    let accounts: Vec<_> = pages.iter().flat_map(|p| p.accounts()).collect();
    assert_eq!(accounts[0].id(), Some(PROD));
    assert_eq!(accounts[0].arn(), Some("arn:aws:organizations::111122223333:account/o-abcdefghij/111122223333"));
    assert_eq!(accounts[1].status().map(|s| s.as_str()), Some("SUSPENDED"));
    assert!(accounts[1].joined_timestamp().is_some());
    let under: Vec<_> = orgs
        .list_accounts_for_parent()
        .parent_id("ou-abcd-11111111")
        .send()
        .await
        .expect("for parent")
        .accounts()
        .iter()
        .filter_map(|a| a.id().map(str::to_string))
        .collect();
    assert_eq!(under, [DEV]);
    let roots = orgs.list_roots().send().await.expect("roots");
    assert_eq!(roots.roots()[0].id(), Some("r-abcd"));
    let err = orgs.list_accounts_for_parent().parent_id("ou-none-00000000").send().await.unwrap_err();
    assert_eq!(err.code(), Some("ParentNotFoundException"));
    // A member account may not list the organization.
    let dev = assumed(&prod(&mock).await, "arn:aws:iam::444455556666:role/reader", Some("ext-123")).await;
    let err = aws_sdk_organizations::Client::new(&dev).list_accounts().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    mock.shutdown().await;
}
