//! STS (awsQuery): `GetCallerIdentity`, and `AssumeRole` into the estate's assumable roles,
//! issuing session keys (`ASIA…` + secret + session token) that act in the role's account.

use super::estate::{derived_id, last_segment};
use super::xml::Element;
use super::{Ctx, Identity, Session};
use crate::faults::Call;
use crate::state::lock;
use axum::response::Response;
use time::OffsetDateTime;

pub const ACTIONS: &[&str] = &["GetCallerIdentity", "AssumeRole"];

pub async fn handle(ctx: &Ctx<'_>) -> Response {
    let r = match ctx.action {
        "GetCallerIdentity" => caller_identity(ctx).await,
        _ => assume_role(ctx).await,
    };
    r.unwrap_or_else(|e| e)
}

async fn caller_identity(ctx: &Ctx<'_>) -> Result<Response, Response> {
    ctx.gate(ctx.call()).await?;
    let i = &ctx.identity;
    Ok(ctx.query_ok(vec![
        Element::leaf("Arn", &i.arn),
        Element::leaf("UserId", &i.user_id),
        Element::leaf("Account", &i.account),
    ]))
}

/// Random characters from `alphabet`.
fn random_string(ctx: &Ctx<'_>, alphabet: &[u8], n: usize) -> String {
    (0..n).map(|_| alphabet[(ctx.state.random() % alphabet.len() as u64) as usize] as char).collect()
}

const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn valid_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@-_".contains(&b))
}

async fn assume_role(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let role_arn = ctx.required("RoleArn")?;
    ctx.gate(Call { role: Some(role_arn), resource: Some(role_arn), ..ctx.call() }).await?;
    let session = ctx.required("RoleSessionName")?;
    if !valid_session_name(session) {
        return Err(ctx.error(
            400,
            "ValidationError",
            &format!(
                "1 validation error detected: Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
            ),
        ));
    }
    let denied = || {
        ctx.error(
            403,
            "AccessDenied",
            &format!("User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}", ctx.identity.arn),
        )
    };
    let Some((account, assumable)) = ctx.state.estate.aws.assumable(role_arn) else { return Err(denied()) };
    if assumable.external_id.as_deref().is_some_and(|want| ctx.params.get("ExternalId") != Some(want)) {
        return Err(denied());
    }
    let role_name = last_segment(role_arn);
    let role = account.role(role_name);
    let max = role.and_then(|r| r.role.rest.get("MaxSessionDuration")).and_then(|v| v.as_i64()).unwrap_or(3600);
    let duration = match ctx.params.get("DurationSeconds") {
        None => 3600.min(max),
        Some(d) => {
            let n = d.parse::<i64>().ok().filter(|n| (900..=43200).contains(n)).ok_or_else(|| {
                ctx.error(
                    400,
                    "ValidationError",
                    &format!("1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"),
                )
            })?;
            if n > max {
                return Err(ctx.error(
                    400,
                    "ValidationError",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                ));
            }
            n
        }
    };
    let role_id = role.map(|r| r.role_id().to_string()).unwrap_or_else(|| derived_id("AROA", role_arn));
    let identity = Identity {
        account: account.account_id.clone(),
        arn: format!("arn:aws:sts::{}:assumed-role/{role_name}/{session}", account.account_id),
        user_id: format!("{role_id}:{session}"),
    };
    let access_key_id = format!("ASIA{}", random_string(ctx, UPPER, 16));
    let expiration = OffsetDateTime::now_utc() + time::Duration::seconds(duration);
    let s = Session {
        identity: identity.clone(),
        secret_access_key: random_string(ctx, B64, 40),
        session_token: format!("IQoJb3JpZ2luX2VjE{}", random_string(ctx, B64, 300)),
        expiration,
    };
    let result = vec![
        Element::new("Credentials")
            .child(Element::leaf("AccessKeyId", &access_key_id))
            .child(Element::leaf("SecretAccessKey", &s.secret_access_key))
            .child(Element::leaf("SessionToken", &s.session_token))
            .child(Element::leaf("Expiration", super::timestamps::xml(expiration, false))),
        Element::new("AssumedRoleUser")
            .child(Element::leaf("AssumedRoleId", &identity.user_id))
            .child(Element::leaf("Arn", &identity.arn)),
    ];
    lock(&ctx.state.aws_sessions).insert(access_key_id, s);
    Ok(ctx.query_ok(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names() {
        assert!(valid_session_name("kubeposture-scan@2026.11"));
        assert!(!valid_session_name("a"));
        assert!(!valid_session_name("has space"));
    }
}
