//! AWS on the mock's one origin: EKS (restJson1), IAM and STS (awsQuery XML) and EC2
//! (ec2Query XML). A request is AWS when it carries a SigV4 `Authorization` header (ARM uses
//! bearer tokens); the credential scope's service picks the protocol and its region is the
//! request's region. The access key says who calls: a long-term key from the estate, or a
//! session key `sts:AssumeRole` issued. The signature itself is not verified.
//!
//! Handlers return `Result<Response, Response>`: the error side is the service's error answer,
//! returned early with `?`.
#![allow(clippy::result_large_err)]

mod ctx;
mod ec2;
mod eks;
pub mod estate;
mod iam;
pub mod organizations;
mod params;
mod sigv4;
mod sts;
mod timestamps;
mod validate;
mod xml;

use crate::state::{State, lock};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ctx::Ctx;
use params::Params;
use serde_json::{Value, json};
use xml::Element;

/// The AWS services the mock serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Eks,
    Iam,
    Sts,
    Ec2,
    Organizations,
}

impl Service {
    fn from_scope(s: &str) -> Option<Self> {
        Some(match s {
            "eks" => Service::Eks,
            "iam" => Service::Iam,
            "sts" => Service::Sts,
            "ec2" => Service::Ec2,
            "organizations" => Service::Organizations,
            _ => return None,
        })
    }

    /// `eks`, `iam`, `sts`, `ec2`: the prefix of operation and counter names.
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Eks => "eks",
            Service::Iam => "iam",
            Service::Sts => "sts",
            Service::Ec2 => "ec2",
            Service::Organizations => "organizations",
        }
    }

    fn xmlns(self) -> &'static str {
        match self {
            Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
            Service::Ec2 => "http://ec2.amazonaws.com/doc/2016-11-15/",
            Service::Eks | Service::Organizations => "",
        }
    }

    /// Whether the service is regional: EKS and EC2 answer only in the account's enabled regions.
    fn regional(self) -> bool {
        matches!(self, Service::Eks | Service::Ec2)
    }
}

/// Who signed a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    /// `GetCallerIdentity` Arn: a user, or `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub arn: String,
    pub user_id: String,
}

/// Session credentials issued by `sts:AssumeRole`.
#[derive(Clone, Debug)]
pub struct Session {
    pub identity: Identity,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: time::OffsetDateTime,
}

/// The parts of an HTTP request the AWS side reads.
pub struct Request<'a> {
    pub method: &'a Method,
    /// The raw (still percent-encoded) path.
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl Request<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn form(&self) -> Params {
        let mut p: Vec<(String, String)> = self.query.to_vec();
        if *self.method == Method::POST {
            p.extend(url::form_urlencoded::parse(self.body).into_owned());
        }
        Params::new(p)
    }

    fn is_eks_path(&self) -> bool {
        let p = self.path.trim_start_matches('/');
        p == "clusters" || p.starts_with("clusters/") || p == "cluster-versions"
    }

    /// The awsJson operation named by `X-Amz-Target` (Organizations).
    fn json_target(&self) -> Option<&str> {
        self.header("x-amz-target")?.strip_prefix(organizations::TARGET_PREFIX)
    }

    /// A JSON body's top-level members as parameters (strings as they are, others as JSON).
    fn json_params(&self) -> Params {
        let body: serde_json::Map<String, Value> = serde_json::from_slice(self.body).unwrap_or_default();
        let pairs = body
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect();
        Params::new(pairs)
    }

    /// The protocol an unsigned (or badly signed) request is shaped for, if it looks like AWS.
    fn guess_service(&self) -> Option<Service> {
        if self.is_eks_path() {
            return Some(Service::Eks);
        }
        if self.json_target().is_some() {
            return Some(Service::Organizations);
        }
        let form = self.form();
        form.get("Action")?;
        Some(match form.get("Version") {
            Some("2016-11-15") => Service::Ec2,
            Some("2011-06-15") => Service::Sts,
            _ => Service::Iam,
        })
    }
}

/// Answers an AWS request; `None` when the request is not one (then ARM/Entra routes apply).
pub async fn handle(state: &State, req: &Request<'_>) -> Option<Response> {
    let rid = state.request_id();
    let authorization = req.header("authorization").filter(|a| sigv4::is_sigv4(a));
    let Some(authorization) = authorization else {
        let service = req.guess_service()?;
        let (status, code, message) = match service {
            Service::Eks => (403, "MissingAuthenticationTokenException", "Missing Authentication Token"),
            Service::Ec2 => (
                403,
                "MissingAuthenticationToken",
                "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
            ),
            _ => (403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        };
        return Some(error(service, status, code, message, &rid));
    };
    let sig = match sigv4::parse(authorization) {
        Ok(s) => s,
        Err(m) => {
            let service = req.guess_service().unwrap_or(Service::Iam);
            let code = if service == Service::Eks { "IncompleteSignatureException" } else { "IncompleteSignature" };
            return Some(error(service, 400, code, &m, &rid));
        }
    };
    let Some(service) = Service::from_scope(&sig.service) else {
        let m = format!("This mock serves eks, iam, sts, ec2 and organizations, not '{}'.", sig.service);
        return Some(error(req.guess_service().unwrap_or(Service::Iam), 400, "InvalidAction", &m, &rid));
    };
    let params = match service {
        Service::Eks => Params::new(req.query.to_vec()),
        Service::Organizations => req.json_params(),
        _ => req.form(),
    };
    let (action, eks_route) = match service {
        Service::Eks => match eks::route(req.method, req.path) {
            Some(r) => (r.action(), Some(r)),
            None => {
                let m = format!("{} {} is not an EKS operation this mock serves.", req.method, req.path);
                return Some(error(service, 404, "UnknownOperationException", &m, &rid));
            }
        },
        Service::Organizations => match req.json_target().and_then(|a| known_action(service, a)) {
            Some(a) => (a, None),
            None => {
                let m =
                    format!("The operation {} is not served by this mock.", req.header("x-amz-target").unwrap_or(""));
                return Some(error(service, 400, "UnknownOperationException", &m, &rid));
            }
        },
        _ => match params.get("Action").and_then(|a| known_action(service, a)) {
            Some(a) => (a, None),
            None => {
                let a = params.get("Action").unwrap_or("");
                let m = match service {
                    Service::Ec2 => format!("The action {a} is not valid for this web service."),
                    _ => format!("Could not find operation {a} for version {}", params.get("Version").unwrap_or("")),
                };
                return Some(error(service, 400, "InvalidAction", &m, &rid));
            }
        },
    };
    let op = format!("{}:{action}", service.prefix());
    let identity = match identify(state, &sig.access_key_id, req.header("x-amz-security-token")) {
        Ok(i) => i,
        Err(e) => {
            state.count(&op);
            return Some(auth_error(service, e, &rid));
        }
    };
    let ctx = Ctx {
        state,
        service,
        op,
        action,
        identity,
        region: sig.region.clone(),
        params,
        request_id: rid,
        repeat_from: Default::default(),
    };
    if service.regional() && !ctx.account().is_some_and(|a| a.is_enabled(&ctx.region)) {
        state.count(&ctx.op);
        return Some(auth_error(service, AuthError::RegionDisabled, &ctx.request_id));
    }
    Some(match (service, eks_route) {
        (Service::Eks, Some(route)) => eks::handle(&ctx, route).await,
        (Service::Sts, _) => sts::handle(&ctx).await,
        (Service::Iam, _) => iam::handle(&ctx).await,
        (Service::Organizations, _) => organizations::handle(&ctx).await,
        _ => ec2::handle(&ctx).await,
    })
}

fn known_action(service: Service, action: &str) -> Option<&'static str> {
    let actions = match service {
        Service::Sts => sts::ACTIONS,
        Service::Iam => iam::ACTIONS,
        Service::Organizations => organizations::ACTIONS,
        Service::Ec2 => ec2::ACTIONS,
        Service::Eks => &[],
    };
    actions.iter().find(|a| **a == action).copied()
}

enum AuthError {
    UnknownKey,
    Expired,
    RegionDisabled,
}

/// The identity behind an access key (and, for session keys, the matching session token).
fn identify(state: &State, access_key_id: &str, token: Option<&str>) -> Result<Identity, AuthError> {
    if let Some((account, c)) = state.estate.aws.credential(access_key_id) {
        let user_id = c.user_id.clone().unwrap_or_else(|| estate::derived_id("AIDA", &c.arn));
        return Ok(Identity { account: account.account_id.clone(), arn: c.arn.clone(), user_id });
    }
    let sessions = lock(&state.aws_sessions);
    let s = sessions.get(access_key_id).ok_or(AuthError::UnknownKey)?;
    if token != Some(s.session_token.as_str()) {
        return Err(AuthError::UnknownKey);
    }
    if s.expiration < time::OffsetDateTime::now_utc() {
        return Err(AuthError::Expired);
    }
    Ok(s.identity.clone())
}

/// The secret key behind an access key id (with its session token, for session keys) and the
/// identity's ARN: what the Kubernetes API's EKS authenticator verifies a token against.
pub(crate) fn secret_of(state: &State, access_key_id: &str, token: Option<&str>) -> Result<(String, String), String> {
    if let Some((_, c)) = state.estate.aws.credential(access_key_id) {
        return Ok((c.secret_access_key.clone(), c.arn.clone()));
    }
    let sessions = lock(&state.aws_sessions);
    let s = sessions.get(access_key_id).ok_or("the access key is not known to STS")?;
    if token != Some(s.session_token.as_str()) {
        return Err("the session token does not belong to the access key".into());
    }
    if s.expiration < time::OffsetDateTime::now_utc() {
        return Err("the session has expired".into());
    }
    Ok((s.secret_access_key.clone(), s.identity.arn.clone()))
}

fn auth_error(service: Service, e: AuthError, rid: &str) -> Response {
    let invalid = "The security token included in the request is invalid.";
    let expired = "The security token included in the request is expired";
    let ec2_invalid = "AWS was not able to validate the provided access credentials";
    let (status, code, message) = match (service, e) {
        (Service::Eks, AuthError::Expired) => (403, "ExpiredTokenException", expired),
        (Service::Eks | Service::Organizations, _) => (403, "UnrecognizedClientException", invalid),
        (Service::Ec2, AuthError::Expired) => (400, "RequestExpired", "Request has expired."),
        (Service::Ec2, _) => (401, "AuthFailure", ec2_invalid),
        (_, AuthError::Expired) => (403, "ExpiredToken", expired),
        (_, _) => (403, "InvalidClientTokenId", invalid),
    };
    error(service, status, code, message, rid)
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn with_request_id(mut r: Response, rid: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(rid) {
        r.headers_mut().insert("x-amzn-requestid", v);
    }
    r
}

/// An error in the service's protocol: EKS `x-amzn-ErrorType` + `{"message"}`; IAM/STS
/// `<ErrorResponse>`; EC2 `<Response><Errors>`.
pub fn error(service: Service, code_status: u16, code: &str, message: &str, rid: &str) -> Response {
    error_with(service, code_status, code, message, rid, json!({}))
}

/// [`error`] with extra members in an EKS error body (`clusterName`, `nodegroupName`, …).
pub fn error_with(service: Service, code_status: u16, code: &str, message: &str, rid: &str, extra: Value) -> Response {
    let (body, content_type) = error_body(service, code_status, code, message, rid, extra);
    let mut r = (status(code_status), [(header::CONTENT_TYPE, content_type)], body).into_response();
    if let (Service::Eks | Service::Organizations, Ok(v)) = (service, HeaderValue::from_str(code)) {
        r.headers_mut().insert("x-amzn-errortype", v);
    }
    with_request_id(r, rid)
}

/// The body and content type of an error answer.
fn error_body(
    service: Service,
    code_status: u16,
    code: &str,
    message: &str,
    rid: &str,
    extra: Value,
) -> (String, &'static str) {
    match service {
        Service::Organizations => {
            (json!({"__type": code, "Message": message}).to_string(), "application/x-amz-json-1.1")
        }
        Service::Eks => {
            let mut body = json!({"message": message});
            if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
                b.extend(extra);
            }
            (body.to_string(), "application/json")
        }
        Service::Ec2 => {
            let e = Element::new("Response")
                .child(Element::new("Errors").child(
                    Element::new("Error").child(Element::leaf("Code", code)).child(Element::leaf("Message", message)),
                ))
                .child(Element::leaf("RequestID", rid));
            (e.document(), "text/xml;charset=UTF-8")
        }
        Service::Iam | Service::Sts => {
            let kind = if code_status >= 500 { "Receiver" } else { "Sender" };
            let e = Element::new("ErrorResponse")
                .attr("xmlns", service.xmlns())
                .child(
                    Element::new("Error")
                        .child(Element::leaf("Type", kind))
                        .child(Element::leaf("Code", code))
                        .child(Element::leaf("Message", message)),
                )
                .child(Element::leaf("RequestId", rid));
            (e.document(), "text/xml")
        }
    }
}

fn xml_response(status: StatusCode, body: String, content_type: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockOptions;
    use crate::estate::Estate;

    const ESTATE: &str = r#"
estate: v1
aws:
  accounts:
    - accountId: "111122223333"
      regions: [us-east-1]
      credentials: [{accessKeyId: AKIATEST, secretAccessKey: s, arn: "arn:aws:iam::111122223333:user/u"}]
"#;

    fn state() -> State {
        State::new(Estate::from_yaml(ESTATE).unwrap(), MockOptions::default(), "https://127.0.0.1:1".into())
    }

    fn auth(key: &str, service: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential={key}/20261124/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00ff"
        )
    }

    /// Sends a request to the AWS side; `None` when it is not an AWS request.
    async fn send(
        state: &State,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Option<(u16, String)> {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        let req = Request { method: &method, path, query: &[], headers: &h, body: body.as_bytes() };
        let r = handle(state, &req).await?;
        let status = r.status().as_u16();
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
        Some((status, String::from_utf8(bytes.to_vec()).unwrap()))
    }

    #[tokio::test]
    async fn unsigned_requests_get_the_protocols_missing_token_error() {
        let st = state();
        let (status, body) = send(&st, Method::GET, "/clusters", &[], "").await.unwrap();
        assert_eq!((status, body.as_str()), (403, r#"{"message":"Missing Authentication Token"}"#));
        let (status, body) = send(&st, Method::POST, "/", &[], "Action=ListRoles&Version=2010-05-08").await.unwrap();
        assert_eq!(status, 403);
        assert!(
            body.contains("<Code>MissingAuthenticationToken</Code>") && body.contains("iam.amazonaws.com"),
            "{body}"
        );
        let (status, body) =
            send(&st, Method::POST, "/", &[], "Action=DescribeRegions&Version=2016-11-15").await.unwrap();
        assert_eq!(status, 403);
        assert!(body.contains("<Response><Errors>"), "{body}");
        // Azure requests are not AWS's business.
        assert!(send(&st, Method::GET, "/subscriptions", &[("authorization", "Bearer t")], "").await.is_none());
        let token = "client_id=a&client_secret=b&grant_type=client_credentials";
        assert!(send(&st, Method::POST, "/tenant/oauth2/v2.0/token", &[], token).await.is_none());
    }

    #[tokio::test]
    async fn signature_service_action_and_key_are_checked() {
        let st = state();
        let bad = [("authorization", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00")];
        let (status, body) =
            send(&st, Method::POST, "/", &bad, "Action=GetCallerIdentity&Version=2011-06-15").await.unwrap();
        assert_eq!(status, 400);
        assert!(body.contains("<Code>IncompleteSignature</Code>") && body.contains("sts.amazonaws.com"), "{body}");
        let s3 = auth("AKIATEST", "s3");
        let (status, body) = send(&st, Method::GET, "/bucket", &[("authorization", &s3)], "").await.unwrap();
        assert_eq!(status, 400);
        assert!(body.contains("InvalidAction"), "{body}");
        let iam = auth("AKIATEST", "iam");
        let (status, body) =
            send(&st, Method::POST, "/", &[("authorization", &iam)], "Action=CreateRole&Version=2010-05-08")
                .await
                .unwrap();
        assert_eq!(status, 400);
        assert!(body.contains("Could not find operation CreateRole for version 2010-05-08"), "{body}");
        let eks = auth("AKIATEST", "eks");
        let (status, _) = send(&st, Method::POST, "/clusters", &[("authorization", &eks)], "{}").await.unwrap();
        assert_eq!(status, 404);
        let sts = auth("AKIAOTHER", "sts");
        let (status, body) =
            send(&st, Method::POST, "/", &[("authorization", &sts)], "Action=GetCallerIdentity").await.unwrap();
        assert_eq!(status, 403);
        assert!(body.contains("<Code>InvalidClientTokenId</Code>"), "{body}");
        assert_eq!(st.counters().get("sts:GetCallerIdentity"), Some(&1), "counted, without an account");
    }

    #[tokio::test]
    async fn session_keys_need_their_token_and_expire() {
        let st = state();
        let identity = Identity {
            account: "111122223333".into(),
            arn: "arn:aws:sts::111122223333:assumed-role/r/s".into(),
            user_id: "AROAX:s".into(),
        };
        let session = |minutes: i64| Session {
            identity: identity.clone(),
            secret_access_key: "k".into(),
            session_token: "tok".into(),
            expiration: time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
        };
        lock(&st.aws_sessions).insert("ASIALIVE".into(), session(5));
        lock(&st.aws_sessions).insert("ASIAOLD".into(), session(-5));
        let form = "Action=GetCallerIdentity&Version=2011-06-15";
        let live = auth("ASIALIVE", "sts");
        let (status, body) =
            send(&st, Method::POST, "/", &[("authorization", &live), ("x-amz-security-token", "tok")], form)
                .await
                .unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("<Arn>arn:aws:sts::111122223333:assumed-role/r/s</Arn>"), "{body}");
        let (status, _) =
            send(&st, Method::POST, "/", &[("authorization", &live), ("x-amz-security-token", "nope")], form)
                .await
                .unwrap();
        assert_eq!(status, 403);
        let (status, _) = send(&st, Method::POST, "/", &[("authorization", &live)], form).await.unwrap();
        assert_eq!(status, 403);
        let old = auth("ASIAOLD", "sts");
        let (status, body) =
            send(&st, Method::POST, "/", &[("authorization", &old), ("x-amz-security-token", "tok")], form)
                .await
                .unwrap();
        assert_eq!(status, 403);
        assert!(body.contains("<Code>ExpiredToken</Code>"), "{body}");
    }

    #[test]
    fn error_shapes() {
        let r = error_with(
            Service::Eks,
            404,
            "ResourceNotFoundException",
            "No cluster found for name: x.",
            "rid",
            json!({"clusterName": "x"}),
        );
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["x-amzn-errortype"], "ResourceNotFoundException");
        assert_eq!(r.headers()["x-amzn-requestid"], "rid");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let (body, _) = error_body(Service::Eks, 404, "X", "m", "rid", json!({"clusterName": "x"}));
        assert_eq!(body, r#"{"clusterName":"x","message":"m"}"#);
        let (body, ct) = error_body(Service::Iam, 404, "NoSuchEntity", "a < b", "rid", json!({}));
        assert_eq!(ct, "text/xml");
        assert_eq!(
            body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>a &lt; b</Message></Error><RequestId>rid</RequestId></ErrorResponse>"
        );
        let (body, _) = error_body(Service::Sts, 500, "InternalFailure", "m", "rid", json!({}));
        assert!(body.contains("<Type>Receiver</Type>") && body.contains("sts.amazonaws.com/doc/2011-06-15/"));
        let (body, _) = error_body(Service::Ec2, 401, "AuthFailure", "m", "rid", json!({}));
        assert!(body.ends_with(
            "<Response><Errors><Error><Code>AuthFailure</Code><Message>m</Message></Error></Errors><RequestID>rid</RequestID></Response>"
        ));
    }
}
