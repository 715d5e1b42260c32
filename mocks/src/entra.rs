//! Entra ID v2 token endpoint, client-credentials grant:
//! `POST /{tenant}/oauth2/v2.0/token` (form: client_id, client_secret, scope, grant_type).
//! Errors carry the real `AADSTS…` codes and shape (error, error_description, error_codes, …).

use crate::faults::{Call, Injected};
use crate::state::{Denied, State, Token};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;

/// Resources a `…/.default` scope may name.
pub const ARM: &str = "https://management.azure.com";
pub const GRAPH: &str = "https://graph.microsoft.com";
/// The AKS server app: `6dae42f8-…/.default` gives a token AKS API servers accept.
pub const AKS: &str = crate::k8s::auth::AKS_APP;

fn error(status: StatusCode, error: &str, aadsts: u32, description: &str) -> Response {
    let trace = "00000000-0000-0000-0000-0000000000aa";
    let correlation = "00000000-0000-0000-0000-0000000000bb";
    let ts = "2026-01-01 00:00:00Z";
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{aadsts}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {ts}"),
        "error_codes": [aadsts],
        "timestamp": ts,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("https://login.microsoftonline.com/error?code={aadsts}"),
    });
    (status, Json(body)).into_response()
}

pub async fn token(state: &State, tenant: &str, body: &[u8]) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let call = Call { op: "token", tenant: Some(tenant), ..Default::default() };
    if let Err(denied) = state.gate(&call, false).await {
        return match denied {
            Denied::Injected(Injected::Error { status, code, message }) => {
                error(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), &code, 90000, &message)
            }
            Denied::Injected(Injected::Malformed | Injected::RepeatToken) => {
                (StatusCode::OK, "{\"token_type\":\"Bearer\",").into_response()
            }
            Denied::Throttled(_) => error(StatusCode::TOO_MANY_REQUESTS, "temporarily_unavailable", 50196, "throttled"),
        };
    }
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type. This mock serves client_credentials only.",
        );
    }
    let Some(t) = state.estate.tenant(tenant) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    };
    let client_id = field("client_id");
    let Some(client) = t.clients.iter().find(|c| c.client_id.eq_ignore_ascii_case(client_id)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory '{}'.", t.tenant_id),
        );
    };
    if field("client_secret") != client.client_secret {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                client.client_id
            ),
        );
    }
    let scope = field("scope");
    let audience = scope.strip_suffix("/.default").map(|r| r.trim_end_matches('/'));
    let Some(audience) = audience.filter(|a| [ARM, GRAPH, AKS].contains(a)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            &format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        );
    };
    let access_token = state.issue_token(Token {
        tenant_id: t.tenant_id.clone(),
        audience: audience.to_string(),
        client_id: client.client_id.clone(),
    });
    Json(json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access_token}))
        .into_response()
}
