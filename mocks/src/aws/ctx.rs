//! One AWS call being served ([`Ctx`]): who calls, where, with which parameters; the gate
//! (count, throttling, faults) and the answers in the service's protocol.

use super::xml::{self, Element};
use super::{Identity, Params, Service, error, estate, with_request_id, xml_response};
use crate::faults::{Call, Injected};
use crate::paging;
use crate::state::{Denied, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// One AWS call being served: who, where, what.
pub struct Ctx<'a> {
    pub state: &'a State,
    pub service: Service,
    /// `iam:ListRoles`: the operation's (and counter's) name.
    pub op: String,
    /// `ListRoles`.
    pub action: &'static str,
    pub identity: Identity,
    pub region: String,
    pub params: Params,
    pub request_id: String,
    /// A `repeatToken` fault hit this page: its next-page token is that of this offset.
    pub repeat_from: std::sync::OnceLock<usize>,
}

impl Ctx<'_> {
    /// The caller's account in the estate.
    pub fn account(&self) -> Option<&estate::Account> {
        self.state.estate.aws.account(&self.identity.account)
    }

    /// The caller's account's resources in the request's region (empty if none).
    pub fn regional(&self) -> &estate::Regional {
        static EMPTY: std::sync::OnceLock<estate::Regional> = std::sync::OnceLock::new();
        self.account().and_then(|a| a.regional(&self.region)).unwrap_or_else(|| EMPTY.get_or_init(Default::default))
    }

    /// A [`Call`] for the gate with the operation, caller account, region and caller ARN set.
    pub fn call(&self) -> Call<'_> {
        Call {
            op: &self.op,
            account: Some(&self.identity.account),
            region: Some(&self.region),
            caller: Some(&self.identity.arn),
            ..Default::default()
        }
    }

    /// Counts the call and lets throttling and faults answer it instead.
    pub async fn gate(&self, call: Call<'_>) -> Result<(), Response> {
        self.state.gate(&call, true).await.map_err(|d| self.denied(d))
    }

    /// [`Ctx::gate`] for a paged list: reads the page token (`token`) and the page size
    /// parameter (`size`: name, min, max) so faults can select the page; parameter errors are
    /// answered after the call is counted.
    pub async fn gate_paged(
        &self,
        call: Call<'_>,
        token: &str,
        size: (&str, usize, usize),
    ) -> Result<(usize, usize), Response> {
        let parsed = self.page_size(size.0, size.1, size.2).and_then(|n| self.start(token).map(|s| (s, n)));
        let page = parsed.as_ref().ok().map(|(s, n)| paging::number(*s, *n));
        match self.state.gate(&Call { page, ..call }, true).await {
            Ok(()) => {}
            Err(Denied::Injected(Injected::RepeatToken)) => {
                if let Ok((start, _)) = &parsed {
                    let _ = self.repeat_from.set(*start);
                }
            }
            Err(d) => return Err(self.denied(d)),
        }
        parsed
    }

    fn denied(&self, d: Denied) -> Response {
        match d {
            Denied::Throttled(_) => {
                let (status, code, message) = match self.service {
                    Service::Eks => (429, "ThrottlingException", "Rate exceeded"),
                    Service::Organizations => (
                        400,
                        "TooManyRequestsException",
                        "You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.",
                    ),
                    Service::Ec2 => (503, "RequestLimitExceeded", "Request limit exceeded."),
                    _ => (400, "Throttling", "Rate exceeded"),
                };
                self.error(status, code, message)
            }
            Denied::Injected(Injected::Error { status, code, message }) => self.error(status, &code, &message),
            // A list serves the page itself (`gate_paged`); validation keeps it off other calls.
            Denied::Injected(Injected::Malformed | Injected::RepeatToken) => {
                let (body, content_type) = match self.service {
                    Service::Eks => ("{\"cluster\": {\"name\": \"".to_string(), "application/json"),
                    Service::Organizations => ("{\"Accounts\": [{\"Id\": \"".to_string(), "application/x-amz-json-1.1"),
                    // Cut off inside a start tag: no XML reader accepts it.
                    Service::Ec2 => (
                        format!(
                            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{}Response xmlns=\"{}\"><requestId>{}</requestId><item",
                            self.action,
                            self.service.xmlns(),
                            self.request_id
                        ),
                        "text/xml;charset=UTF-8",
                    ),
                    _ => (
                        format!(
                            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{a}Response xmlns=\"{}\"><{a}Result",
                            self.service.xmlns(),
                            a = self.action
                        ),
                        "text/xml",
                    ),
                };
                with_request_id(xml_response(StatusCode::OK, body, content_type), &self.request_id)
            }
        }
    }

    pub fn error(&self, status: u16, code: &str, message: &str) -> Response {
        error(self.service, status, code, message, &self.request_id)
    }

    /// EKS and Organizations: a JSON body.
    pub fn json(&self, body: Value) -> Response {
        let content_type =
            if self.service == Service::Organizations { "application/x-amz-json-1.1" } else { "application/json" };
        let r = (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body.to_string()).into_response();
        with_request_id(r, &self.request_id)
    }

    /// awsQuery: `<{Action}Response><{Action}Result>…</…Result><ResponseMetadata>…`.
    pub fn query_ok(&self, result: Vec<Element>) -> Response {
        let e = Element::new(format!("{}Response", self.action))
            .attr("xmlns", self.service.xmlns())
            .child(Element::new(format!("{}Result", self.action)).children(result))
            .child(Element::new("ResponseMetadata").child(Element::leaf("RequestId", &self.request_id)));
        with_request_id(xml_response(StatusCode::OK, e.document(), "text/xml"), &self.request_id)
    }

    /// ec2Query: `<{Action}Response><requestId>…</requestId>…`.
    pub fn ec2_ok(&self, members: Vec<Element>) -> Response {
        let e = Element::new(format!("{}Response", self.action))
            .attr("xmlns", self.service.xmlns())
            .child(Element::leaf("requestId", &self.request_id))
            .children(members);
        with_request_id(xml_response(StatusCode::OK, e.document(), "text/xml;charset=UTF-8"), &self.request_id)
    }

    /// The service's error for an invalid request parameter.
    pub fn invalid(&self, message: &str) -> Response {
        let code = match self.service {
            Service::Eks => "InvalidParameterException",
            Service::Organizations => "InvalidInputException",
            Service::Ec2 => "InvalidParameterValue",
            Service::Iam => "InvalidInput",
            Service::Sts => "ValidationError",
        };
        self.error(400, code, message)
    }

    /// awsQuery's error for a missing required parameter.
    pub fn missing(&self, member: &str) -> Response {
        let lower = xml::lower_camel(member);
        match self.service {
            Service::Ec2 => self.error(400, "MissingParameter", &format!("The request must contain the parameter {member}")),
            Service::Organizations => self.invalid(&format!("You must specify a value for {member}.")),
            _ => self.error(
                400,
                "ValidationError",
                &format!("1 validation error detected: Value null at '{lower}' failed to satisfy constraint: Member must not be null"),
            ),
        }
    }

    /// A required string parameter, or the missing-parameter answer.
    pub fn required(&self, name: &str) -> Result<&str, Response> {
        self.params.get(name).filter(|v| !v.is_empty()).ok_or_else(|| self.missing(name))
    }

    /// Items per page: the mock's page size, further limited by the request's `name`
    /// parameter, which must lie in `min..=max`.
    pub fn page_size(&self, name: &str, min: usize, max: usize) -> Result<usize, Response> {
        let size = self.state.opts.page_size.max(1);
        let Some(raw) = self.params.get(name) else { return Ok(size) };
        match raw.parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(size.min(n)),
            _ => {
                let lower = xml::lower_camel(name);
                Err(match self.service {
                    Service::Iam | Service::Sts => self.error(
                        400,
                        "ValidationError",
                        &format!("1 validation error detected: Value '{raw}' at '{lower}' failed to satisfy constraint: Member must have value between {min} and {max}"),
                    ),
                    Service::Ec2 => self.invalid(&format!(
                        "Value ( {raw} ) for parameter {lower} is invalid. Expecting a value between {min} and {max}."
                    )),
                    Service::Eks | Service::Organizations => {
                        self.invalid(&format!("{name} must be between {min} and {max}"))
                    }
                })
            }
        }
    }

    /// Where a page starts: 0, or the offset behind the request's `name` token.
    pub fn start(&self, name: &str) -> Result<usize, Response> {
        match self.params.get(name) {
            None | Some("") => Ok(0),
            Some(t) => paging::decode_token(&self.op, t).ok_or_else(|| match self.service {
                Service::Ec2 => self.error(
                    400,
                    "InvalidPaginationToken",
                    &format!("The specified pagination token is not valid or is expired: {t}"),
                ),
                Service::Eks | Service::Organizations => self.invalid("The nextToken provided is invalid."),
                _ => self.invalid(&format!("Invalid {name}: {t}")),
            }),
        }
    }

    /// The page of `items` at `start` and the token of the next page, if any. Under a
    /// `repeatToken` fault the token is this page's own (the one the request sent), last page
    /// included.
    pub fn page<'i, T>(&self, items: &'i [T], start: usize, size: usize) -> (&'i [T], Option<String>) {
        let (page, next) = paging::page(items, start, size);
        let next = self.repeat_from.get().copied().or(next);
        (page, next.map(|n| paging::encode_token(&self.op, n)))
    }
}
