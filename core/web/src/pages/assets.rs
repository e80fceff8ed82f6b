//! The stylesheet and the small script of the pages, served by jiandu itself (no CDN).

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../../../reports/templates/pages/assets/jiandu.css");
const JS: &str = include_str!("../../../../reports/templates/pages/assets/jiandu.js");

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
}

pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        JS,
    )
}
