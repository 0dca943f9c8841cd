//! Where a patient lands after signing in: their appointments (the help article), or the
//! patient page they were on their way to. Only same-site paths to a patient's own pages are
//! followed, so a crafted `?next=` can neither send a patient to another site once they sign in,
//! nor into a login link, a password form, an API or a development page of this one (a link to
//! `next=/login/link/<someone else's token>` would otherwise sign the patient in as someone
//! else, right after they signed in as themselves: login CSRF through a genuine email).

use url::{form_urlencoded, Position, Url};

use crate::routes;

/// Where a patient lands when nothing else is asked for.
pub const HOME: &str = routes::APPOINTMENTS;

/// The pages a patient may be sent on to after signing in, with whatever lies below them.
const PATIENT_PAGES: [&str; 3] = [routes::APPOINTMENTS, routes::FORMS, routes::ACCOUNT];

/// `next` if it is a patient page of this site, else `None`.
pub fn safe_next(next: &str) -> Option<String> {
    let url = same_site(next)?;
    let patient_page = PATIENT_PAGES.iter().any(|page| {
        url.path()
            .strip_prefix(page)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    patient_page.then(|| url[Position::BeforePath..].to_owned())
}

/// `back` if it is a page of this site (any page, not only a patient's: where a patient
/// switched language, say), else `None`.
pub fn same_site_page(back: &str) -> Option<String> {
    let url = same_site(back)?;
    let api = url.path().starts_with(routes::SERVER_FNS);
    (!api).then(|| url[Position::BeforePath..].to_owned())
}

/// `path` resolved as a browser will read it, if it stays on this site: after dot-segments
/// (`/..//evil.example`, `/%2e%2e//evil.example`, `/appointments/../login`) are resolved, a path
/// that starts with `//` or `/\\` names another host.
fn same_site(path: &str) -> Option<Url> {
    let path = path.trim();
    if !path.starts_with('/')
        || path.starts_with("//")
        || path.contains('\\')
        || path.chars().any(char::is_control)
    {
        return None;
    }
    let base = Url::parse("http://carelink.invalid/").expect("a valid base");
    let url = base.join(path).ok()?;
    let resolved = &url[Position::BeforePath..];
    let leaves = resolved.starts_with("//") || resolved.starts_with("/\\");
    (url.origin() == base.origin() && !leaves).then_some(url)
}

/// `next` when safe, else the appointments page.
pub fn landing(next: Option<&str>) -> String {
    next.and_then(safe_next).unwrap_or_else(|| HOME.to_owned())
}

/// The login page, coming back to `next` after signing in.
pub fn login_url(next: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    format!("{}?{query}", routes::LOGIN)
}

/// The same, for a browser whose session has ended: the login page says so (`ended`), as the
/// idle warning's script does when the time is up.
pub fn signed_out_url(next: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("ended", "1")
        .append_pair("next", next)
        .finish();
    format!("{}?{query}", routes::LOGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_site_paths_are_kept() {
        assert_eq!(
            safe_next("/appointments/4").as_deref(),
            Some("/appointments/4")
        );
        assert_eq!(
            safe_next("/forms/2?tab=1").as_deref(),
            Some("/forms/2?tab=1")
        );
        assert_eq!(safe_next("/account").as_deref(), Some("/account"));
        assert_eq!(safe_next("/appointments").as_deref(), Some("/appointments"));
    }

    #[test]
    fn only_patient_pages_are_followed() {
        for not_a_patient_page in [
            "/login/link/attackers-token",
            "/login",
            "/login/check-email",
            "/password/new?token=x",
            "/password/reset",
            "/api/sign_out",
            "/dev/mailbox",
            "/metrics",
            "/pkg/carelink.js",
            "/",
            "/appointmentsx",
            "/accounts",
            "/formsx/1",
            "/appointments/../login/link/x",
            "/appointments/%2e%2e/login/link/x",
        ] {
            assert_eq!(safe_next(not_a_patient_page), None, "{not_a_patient_page}");
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_is_refused() {
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "",
            // Dot-segments that resolve to a host-relative `//evil.example`.
            "/..//evil.example",
            "/.//evil.example",
            "/a/..//evil.example",
            "/%2e%2e//evil.example",
            "/%2E%2e//evil.example",
            "/a/b/../..//evil.example",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(landing(Some("//evil.example")), HOME);
        assert_eq!(landing(None), HOME);
    }

    #[test]
    fn the_login_url_keeps_the_destination_encoded() {
        assert_eq!(login_url("/forms/7"), "/login?next=%2Fforms%2F7");
    }
}
