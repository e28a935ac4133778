//! Static files of the pages, embedded in the binary and served under
//! `/static/` with a content hash in their name, so they can be cached for a
//! year and a new build is fetched at once. Pages carry no inline script or
//! style: everything they need is here, and the content security policy of
//! [`crate::security`] holds without `'unsafe-inline'`.

use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// One embedded file.
pub struct Asset {
    /// The name it is served under, e.g. `devpulse.3f2a9c01d4.css`.
    pub name: String,
    pub content_type: &'static str,
    pub body: &'static str,
}

impl Asset {
    fn new(stem: &str, extension: &str, content_type: &'static str, body: &'static str) -> Asset {
        let digest = Sha256::digest(body.as_bytes());
        let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
        Asset { name: format!("{stem}.{hash}.{extension}"), content_type, body }
    }

    /// The path pages link to.
    pub fn href(&self) -> String {
        format!("/static/{}", self.name)
    }
}

/// The stylesheet of every page.
pub static STYLESHEET: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new("devpulse", "css", "text/css; charset=utf-8", include_str!("../templates/static/devpulse.css"))
});

fn all() -> [&'static Asset; 1] {
    [&STYLESHEET]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{name}", web::get().to(serve));
}

async fn serve(name: web::Path<String>) -> HttpResponse {
    match all().into_iter().find(|a| a.name == *name) {
        Some(a) => HttpResponse::Ok()
            .content_type(a.content_type)
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .body(a.body),
        None => HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("no such file"),
    }
}
