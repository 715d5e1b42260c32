//! Unit-test helpers: requests through the real dispatcher, without TLS or sockets.

use crate::MockOptions;
use crate::estate::Estate;
use crate::server::dispatch;
use crate::state::{State, Token};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, header};
use serde_json::Value;
use std::sync::Arc;

pub const BASE: &str = "https://127.0.0.1:1";
pub const GRAPH: &str = "https://graph.microsoft.com";
pub const ARM: &str = "https://management.azure.com";

pub struct Kit {
    pub state: Arc<State>,
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

/// Percent-encodes a query value (spaces, quotes and all).
pub fn q(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Kit {
    pub fn new(yaml: &str) -> Kit {
        Kit::with(Estate::from_yaml(yaml).unwrap_or_else(|e| panic!("{e}")), MockOptions::default())
    }

    pub fn with(estate: Estate, opts: MockOptions) -> Kit {
        Kit { state: Arc::new(State::new(estate, opts, BASE.into())) }
    }

    /// A bearer token of the first tenant for `audience`.
    pub fn token(&self, audience: &str) -> String {
        let tenant_id = self.state.estate.entra.tenants[0].tenant_id.clone();
        self.state.issue_token(Token { tenant_id, audience: audience.into(), client_id: "testkit".into() })
    }

    pub async fn send(&self, method: Method, token: Option<&str>, path_and_query: &str, body: &str) -> Answer {
        let mut b = Request::builder().method(method).uri(path_and_query.strip_prefix(BASE).unwrap_or(path_and_query));
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if !body.is_empty() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        let r = dispatch(axum::extract::State(self.state.clone()), b.body(Body::from(body.to_string())).unwrap()).await;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    pub async fn get(&self, token: &str, path_and_query: &str) -> Answer {
        self.send(Method::GET, Some(token), path_and_query, "").await
    }

    /// Every item of a paged list (Graph `@odata.nextLink` or ARM `nextLink`), and the pages seen.
    pub async fn get_all(&self, token: &str, path_and_query: &str) -> (Vec<Value>, usize) {
        let mut url = path_and_query.to_string();
        let mut items = Vec::new();
        let mut pages = 0;
        loop {
            let a = self.get(token, &url).await;
            assert_eq!(a.status, 200, "{url}: {}", a.text);
            pages += 1;
            items.extend(a.body["value"].as_array().unwrap().iter().cloned());
            match a.body.get("@odata.nextLink").or(a.body.get("nextLink")).and_then(Value::as_str) {
                Some(next) => {
                    assert!(next.starts_with(BASE), "{next}");
                    url = next.to_string();
                }
                None => return (items, pages),
            }
        }
    }

    pub fn counter(&self, key: &str) -> u64 {
        self.state.counters().get(key).copied().unwrap_or(0)
    }
}
