//! AWS Organizations (`--aws-organization ROLE_NAME`): the organization's active accounts —
//! every one (`ListAccounts`), or those below given OUs (`ListOrganizationalUnitsForParent` and
//! `ListAccountsForParent`, nested OUs included) — optionally narrowed to given account ids,
//! each to be scanned by assuming `ROLE_NAME` in it. Called with the caller's credentials, which
//! must belong to the management account or a delegated administrator.

use super::config::RoleTarget;
use super::error::AwsError;
use super::pages;
use aws_config::SdkConfig;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{Account, AccountState, AccountStatus};
use std::collections::{BTreeMap, BTreeSet};

/// Which accounts of the organization to scan, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgScope {
    /// The role to assume in each account: a name, with its path if it has one
    /// (`kubeposture-reader`, `security/kubeposture-reader`).
    pub role_name: String,
    /// Only accounts below these OUs (or roots); empty: the whole organization.
    pub parents: Vec<String>,
    /// Only these account ids; empty: every active one.
    pub accounts: Vec<String>,
    /// External id for every role.
    pub external_id: Option<String>,
}

/// An account the organization lists but that is not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub account: String,
    pub why: String,
}

/// Whether an account can be scanned: `State` ACTIVE where the API sends it (newer), else
/// `Status` ACTIVE. Suspended, pending-closure and closed accounts are not.
fn active(a: &Account) -> Result<(), String> {
    match (a.state(), a.status()) {
        (Some(AccountState::Active), _) => Ok(()),
        (Some(s), _) => Err(s.as_str().to_string()),
        (None, Some(AccountStatus::Active)) => Ok(()),
        (None, Some(s)) => Err(s.as_str().to_string()),
        (None, None) => Err("no status".into()),
    }
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`).
fn partition(arn: Option<&str>) -> &str {
    arn.and_then(|a| a.split(':').nth(1)).filter(|p| !p.is_empty()).unwrap_or("aws")
}

/// The role to assume in each active account in scope (sorted by account), and the accounts
/// left out.
pub async fn targets(conf: &SdkConfig, scope: &OrgScope) -> Result<(Vec<RoleTarget>, Vec<Skipped>), AwsError> {
    let client = super::config::organizations(conf);
    let listed = if scope.parents.is_empty() {
        pages::all("ListAccounts", client.list_accounts().into_paginator().send(), |p| p.accounts.unwrap_or_default())
            .await?
    } else {
        below(&client, &scope.parents).await?
    };
    let wanted: BTreeSet<&str> = scope.accounts.iter().map(String::as_str).collect();
    let mut by_id: BTreeMap<String, Account> = BTreeMap::new();
    for a in listed {
        if let Some(id) = a.id() {
            by_id.entry(id.to_string()).or_insert(a);
        }
    }
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (id, a) in &by_id {
        if !wanted.is_empty() && !wanted.contains(id.as_str()) {
            continue;
        }
        match active(a) {
            Ok(()) => out.push(RoleTarget {
                arn: format!("arn:{}:iam::{id}:role/{}", partition(a.arn()), scope.role_name.trim_matches('/')),
                external_id: scope.external_id.clone(),
            }),
            Err(state) => skipped.push(Skipped { account: id.clone(), why: format!("the account is {state}") }),
        }
    }
    for id in wanted.iter().filter(|id| !by_id.contains_key(**id)) {
        let why = if scope.parents.is_empty() {
            "the organization does not list it".to_string()
        } else {
            "it is not below the given OUs".to_string()
        };
        skipped.push(Skipped { account: id.to_string(), why });
    }
    Ok((out, skipped))
}

/// Every account below `parents`, nested OUs included (each OU read once).
async fn below(client: &Client, parents: &[String]) -> Result<Vec<Account>, AwsError> {
    let mut queue: Vec<String> = parents.to_vec();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    while let Some(parent) = queue.pop() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        let accounts = pages::all(
            "ListAccountsForParent",
            client.list_accounts_for_parent().parent_id(&parent).into_paginator().send(),
            |p| p.accounts.unwrap_or_default(),
        );
        let ous = pages::all(
            "ListOrganizationalUnitsForParent",
            client.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send(),
            |p| p.organizational_units.unwrap_or_default(),
        );
        let (accounts, ous) = tokio::join!(accounts, ous);
        out.extend(accounts?);
        queue.extend(ous?.iter().filter_map(|ou| ou.id()).map(str::to_string));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_accounts_are_scanned() {
        let a = |status: Option<AccountStatus>, state: Option<AccountState>| {
            Account::builder().id("111122223333").set_status(status).set_state(state).build()
        };
        assert!(active(&a(Some(AccountStatus::Active), None)).is_ok());
        assert!(active(&a(Some(AccountStatus::Active), Some(AccountState::Active))).is_ok());
        assert_eq!(active(&a(Some(AccountStatus::Suspended), None)).unwrap_err(), "SUSPENDED");
        assert!(active(&a(Some(AccountStatus::Active), Some(AccountState::Closed))).is_err());
        assert!(active(&a(None, None)).is_err());
        assert_eq!(partition(Some("arn:aws-us-gov:organizations::1:account/o-x/2")), "aws-us-gov");
        assert_eq!(partition(None), "aws");
    }
}
