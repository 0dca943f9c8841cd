//! `TestBrowser`: an HTTP client that keeps cookies like a browser and does not follow redirects,
//! so tests can check them. It posts forms as a browser without JavaScript does
//! (`Accept: text/html`, the page as Referer) or calls server functions as the hydrated page does;
//! either way it names this site as the `Origin`, as browsers do.

use std::sync::Arc;

use reqwest::{cookie::CookieStore, Response};

#[derive(Clone)]
pub struct TestBrowser {
    address: String,
    /// What it says in `Origin`: the portal's public address, as a browser that loaded the
    /// page from there would.
    origin: String,
    /// Behind a trusted proxy: the client address the proxy names.
    forwarded_for: Option<String>,
    /// Headers it sends with every request (its user agent, a proxy's city header).
    headers: Vec<(String, String)>,
    client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
}

impl TestBrowser {
    pub fn new(address: &str, origin: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .user_agent("carelink-tests/1.0")
            // A hung request fails the test instead of stalling the run.
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .expect("http client");
        Self {
            address: address.to_owned(),
            origin: origin.to_owned(),
            forwarded_for: None,
            headers: Vec::new(),
            client,
            jar,
        }
    }

    /// This browser, sending `name: value` with every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// This browser, saying it is `user_agent`.
    pub fn with_user_agent(self, user_agent: &str) -> Self {
        self.with_header("user-agent", user_agent)
    }

    /// This browser, seen through a trusted proxy (`TRUSTED_PROXIES=127.0.0.1`) as `ip`.
    pub fn at(self, ip: &str) -> Self {
        Self {
            forwarded_for: Some(ip.to_owned()),
            ..self
        }
    }

    /// A request as this browser sends it: its cookies, and where it is.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.client.request(method, self.url(path));
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        match &self.forwarded_for {
            Some(ip) => request.header("x-forwarded-for", ip),
            None => request,
        }
    }

    /// `path` on the app, or a full URL as it is.
    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.address)
        }
    }

    /// Opens `path` as a browser navigating to it does (it accepts HTML).
    pub async fn get(&self, path: &str) -> Response {
        self.request(reqwest::Method::GET, path)
            .header("accept", "text/html")
            .send()
            .await
            .expect("request sent")
    }

    /// The HTML of page `path`.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("a page")
    }

    /// Submits a form on page `from` to `endpoint` as a browser without JavaScript would.
    pub async fn submit(&self, from: &str, endpoint: &str, fields: &[(&str, &str)]) -> Response {
        self.request(reqwest::Method::POST, endpoint)
            .header("accept", "text/html")
            .header("origin", &self.origin)
            .header("referer", self.url(from))
            .form(fields)
            .send()
            .await
            .expect("request sent")
    }

    /// Calls a server function as the hydrated page does.
    pub async fn call(&self, endpoint: &str, fields: &[(&str, &str)]) -> Response {
        self.request(reqwest::Method::POST, endpoint)
            .header("origin", &self.origin)
            .form(fields)
            .send()
            .await
            .expect("request sent")
    }

    /// The value of cookie `name`, if this browser holds it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let header = self.jar.cookies(&self.address.parse().unwrap())?;
        let prefix = format!("{name}=");
        header
            .to_str()
            .unwrap()
            .split("; ")
            .find_map(|pair| pair.strip_prefix(prefix.as_str()))
            .map(str::to_owned)
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookie("carelink_session")
    }

    /// Stores `name=value` as if the app had set it (an attacker's plant, a copied cookie).
    pub fn plant_cookie(&self, pair: &str) {
        self.jar
            .add_cookie_str(pair, &self.address.parse().unwrap());
    }

    pub async fn sign_in(&self, email: impl AsRef<str>, password: &str) -> Response {
        let fields = [("email", email.as_ref()), ("password", password)];
        self.submit("/login", "/api/sign_in_with_password", &fields)
            .await
    }

    /// Signs in from a login page that was given `?next=`.
    pub async fn sign_in_going_to(
        &self,
        next: &str,
        email: impl AsRef<str>,
        password: &str,
    ) -> Response {
        let fields = [
            ("email", email.as_ref()),
            ("password", password),
            ("next", next),
        ];
        self.submit("/login", "/api/sign_in_with_password", &fields)
            .await
    }

    pub async fn sign_out(&self) -> Response {
        self.submit("/account", "/api/sign_out", &[]).await
    }

    /// "Change password" on /account, as a plain form.
    pub async fn change_password(&self, current: &str, new: &str) -> Response {
        let fields = [
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", new),
        ];
        self.submit("/account", "/api/change_password", &fields)
            .await
    }

    /// "Save password and sign in" on a set-password link's page, as a plain form.
    pub async fn set_password(&self, link: &str, new: &str) -> Response {
        let token = link.split("token=").nth(1).expect("a set-password link");
        let fields = [
            ("token", token),
            ("new_password", new),
            ("confirm_password", new),
        ];
        self.submit(link, "/api/set_password", &fields).await
    }

    /// "Send Secure Login Link" on the login page.
    pub async fn ask_for_link(&self, email: impl AsRef<str>) -> Response {
        self.submit(
            "/login",
            "/api/ask_for_login_link",
            &[("email", email.as_ref())],
        )
        .await
    }

    /// The HTML of `link`'s page, without using the link.
    pub async fn open_link(&self, link: &str) -> String {
        self.page(link).await
    }

    /// "Log In" on `link`'s page, as a plain form.
    pub async fn use_link(&self, link: &str) -> Response {
        let token = token_of(link);
        self.submit(link, "/api/sign_in_with_link", &[("token", &token)])
            .await
    }

    /// Types `number` on `link`'s "Log in on the computer that asked" page, as a plain form.
    pub async fn approve(&self, link: &str, number: &str) -> Response {
        let token = token_of(link);
        let page = format!("{link}?on=computer");
        let fields = [("token", token.as_str()), ("number", number)];
        self.submit(&page, "/api/approve_sign_in", &fields).await
    }

    /// The number this browser's "Check your email" screen shows, if any (see `other_than` for
    /// a wrong one).
    pub async fn number_on_screen(&self) -> Option<String> {
        let page = self.page("/login/check-email").await;
        let (_, rest) = page.split_once("Your number</span>")?;
        Some(rest.chars().take_while(char::is_ascii_digit).collect())
    }

    /// The waiting screen's check for an approval, as the hydrated screen makes it (a long
    /// poll); returns the status and the answer's text.
    pub async fn wait_for_approval(&self) -> (u16, String) {
        let response = self.call("/api/collect_approval", &[]).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// "I approved it, continue" on the waiting screen, as a plain form.
    pub async fn continue_after_approval(&self) -> Response {
        self.submit("/login/check-email", "/api/collect_approval", &[])
            .await
    }

    /// Types `code` on the "Check your email" screen, as the hydrated page sends it; returns the
    /// status and the answer's text.
    pub async fn enter_code(&self, code: &str) -> (u16, String) {
        let response = self.call("/api/sign_in_with_code", &[("code", code)]).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Follows a refused plain form's redirect back to its page, where the error is shown.
    pub async fn error_page(&self, response: Response) -> String {
        assert_eq!(response.status(), 302);
        assert!(refused(&response), "{:?}", response.headers());
        let back = location(&response);
        assert!(
            !back.contains("__err"),
            "the error stays out of the address: {back}"
        );
        self.page(&back).await
    }
}

/// Whether a plain form post was refused: its answer leaves the reason for the page it returns
/// to (an error in the flash cookie) instead of going on.
pub fn refused(response: &Response) -> bool {
    flash(response).is_some_and(|flash| flash.error.is_some())
}

/// The result a plain form post leaves for the page it returns to, if it left one.
pub fn flash(response: &Response) -> Option<carelink::flash::Flash> {
    use base64::Engine;
    set_cookies(response).iter().find_map(|cookie| {
        let value = cookie
            .strip_prefix("carelink_flash=")
            .or_else(|| cookie.strip_prefix("__Host-carelink_flash="))?
            .split(';')
            .next()?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value)
            .ok()?;
        serde_json::from_slice(&json).ok()
    })
}

/// Whether a login link's page will sign in by itself once its script runs (the browser
/// proved it is the patient's).
pub fn signs_in_by_itself(page: &str) -> bool {
    assert!(
        page.contains("Log in as"),
        "not a usable link's page: {page}"
    );
    page.contains(r#"data-automatic="true""#)
}

/// Every cookie a response sets, as the Set-Cookie lines say them.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// Where a redirect sends the browser.
pub fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The first URL in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in: {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The token at the end of a login link.
pub fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

/// A two-digit number that is not `number`: a wrong one to type on the phone.
pub fn other_than(number: &str) -> String {
    match number.parse::<u8>().expect("a two-digit number") {
        99 => "10".to_owned(),
        n => (n + 1).to_string(),
    }
}
