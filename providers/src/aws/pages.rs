//! A paged AWS list is read to its end or not at all: the first page that fails (an error
//! answer, a malformed body) fails the whole list, and the error names the page. Never a
//! shorter list.

use super::error::{AwsError, describe};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Every item of every page: `all("ListClusters", req.into_paginator().send(), |o| o.clusters.unwrap_or_default())`.
pub async fn all<O, E, I>(
    operation: &'static str,
    mut pages: PaginationStream<Result<O, SdkError<E, HttpResponse>>>,
    items: impl Fn(O) -> I,
) -> Result<Vec<I::Item>, AwsError>
where
    I: IntoIterator,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut out = Vec::new();
    let mut page = 0u32;
    while let Some(next) = pages.next().await {
        page += 1;
        match next {
            Ok(o) => out.extend(items(o)),
            Err(e) => return Err(AwsError { page: Some(page), ..describe(operation, &e) }),
        }
    }
    Ok(out)
}
