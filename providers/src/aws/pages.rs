//! A paged AWS list is read to its end or not at all: the first page that fails (an error
//! answer, a malformed body, a paging token that repeats an earlier one, a page that says more
//! follow without saying how to ask for them) fails the whole list, and the error names the page.
//! Never a shorter list.

use super::error::{AwsError, describe};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::HashSet;

/// The paging state a page's answer carries.
pub trait Page {
    /// The token that asks for the next page (`NextToken`, IAM's `Marker`); empty is none.
    fn next(&self) -> Option<&str>;
    /// The answer says more pages follow (IAM's `IsTruncated`; else: a token is given).
    fn truncated(&self) -> bool {
        self.next().is_some_and(|t| !t.is_empty())
    }
}

macro_rules! next_token {
    ($($t:ty),* $(,)?) => {$(
        impl Page for $t {
            fn next(&self) -> Option<&str> {
                self.next_token()
            }
        }
    )*};
}

macro_rules! marker {
    ($($t:ty),* $(,)?) => {$(
        impl Page for $t {
            fn next(&self) -> Option<&str> {
                self.marker()
            }
            fn truncated(&self) -> bool {
                self.is_truncated()
            }
        }
    )*};
}

next_token!(
    aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput,
    aws_sdk_eks::operation::list_clusters::ListClustersOutput,
    aws_sdk_eks::operation::list_nodegroups::ListNodegroupsOutput,
    aws_sdk_eks::operation::list_access_entries::ListAccessEntriesOutput,
    aws_sdk_eks::operation::list_associated_access_policies::ListAssociatedAccessPoliciesOutput,
    aws_sdk_eks::operation::list_addons::ListAddonsOutput,
    aws_sdk_eks::operation::describe_cluster_versions::DescribeClusterVersionsOutput,
    aws_sdk_organizations::operation::list_accounts::ListAccountsOutput,
    aws_sdk_organizations::operation::list_accounts_for_parent::ListAccountsForParentOutput,
    aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput,
);

marker!(
    aws_sdk_iam::operation::list_roles::ListRolesOutput,
    aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput,
    aws_sdk_iam::operation::list_role_policies::ListRolePoliciesOutput,
    aws_sdk_iam::operation::list_instance_profiles_for_role::ListInstanceProfilesForRoleOutput,
    aws_sdk_iam::operation::list_instance_profiles::ListInstanceProfilesOutput,
);

/// Checks each page's paging state; `Err` is the message of a list that cannot be read whole.
#[derive(Default)]
pub struct Tokens {
    seen: HashSet<String>,
}

impl Tokens {
    pub fn check(&mut self, page: &impl Page) -> Result<(), String> {
        match page.next().filter(|t| !t.is_empty()) {
            // The SDK ends a list quietly when a token repeats; a cycle would never end.
            Some(t) if !self.seen.insert(t.to_string()) => Err(format!(
                "the token for the next page repeats one of an earlier page ({} characters), so the rest of the list cannot be read",
                t.len()
            )),
            Some(_) => Ok(()),
            None if page.truncated() => {
                Err("the page says more follow (IsTruncated) but gives no Marker to ask for them".into())
            }
            None => Ok(()),
        }
    }
}

/// Every item of every page: `all("ListClusters", req.into_paginator().send(), |o| o.clusters.unwrap_or_default())`.
pub async fn all<O, E, I>(
    operation: &'static str,
    mut pages: PaginationStream<Result<O, SdkError<E, HttpResponse>>>,
    items: impl Fn(O) -> I,
) -> Result<Vec<I::Item>, AwsError>
where
    O: Page,
    I: IntoIterator,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut out = Vec::new();
    let mut page = 0u32;
    let mut tokens = Tokens::default();
    while let Some(next) = pages.next().await {
        page += 1;
        match next {
            Ok(o) => {
                if let Err(why) = tokens.check(&o) {
                    return Err(AwsError { page: Some(page), malformed: true, ..AwsError::new(operation, why) });
                }
                out.extend(items(o))
            }
            Err(e) => return Err(AwsError { page: Some(page), ..describe(operation, &e) }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_eks::operation::list_clusters::ListClustersOutput;
    use aws_sdk_iam::operation::list_roles::ListRolesOutput;

    fn eks(token: Option<&str>) -> ListClustersOutput {
        ListClustersOutput::builder().set_next_token(token.map(String::from)).build()
    }

    fn iam(truncated: bool, marker: Option<&str>) -> ListRolesOutput {
        ListRolesOutput::builder()
            .set_roles(Some(vec![]))
            .is_truncated(truncated)
            .set_marker(marker.map(String::from))
            .build()
            .unwrap()
    }

    #[test]
    fn a_repeated_token_is_an_error_not_the_end() {
        let mut t = Tokens::default();
        assert_eq!(t.check(&eks(Some("a"))), Ok(()));
        assert_eq!(t.check(&eks(Some("b"))), Ok(()));
        let e = t.check(&eks(Some("a"))).unwrap_err();
        assert!(e.contains("repeats"), "{e}");
        let mut t = Tokens::default();
        assert!(t.check(&iam(true, Some("m"))).is_ok());
        assert!(t.check(&iam(true, Some("m"))).is_err());
    }

    #[test]
    fn the_last_page_has_no_token_and_iam_must_give_one_when_truncated() {
        let mut t = Tokens::default();
        assert_eq!(t.check(&eks(Some(""))), Ok(()));
        assert_eq!(t.check(&eks(None)), Ok(()));
        assert_eq!(t.check(&iam(false, None)), Ok(()));
        let e = Tokens::default().check(&iam(true, None)).unwrap_err();
        assert!(e.contains("IsTruncated"), "{e}");
    }

    #[test]
    fn the_error_names_operation_and_page() {
        let e = AwsError { page: Some(3), malformed: true, ..AwsError::new("ListRoles", "x") };
        assert_eq!(e.to_string(), "malformed body on ListRoles, page 3: x");
    }
}
