//! The test IdP's HTML pages, rendered on the server. Every value is escaped; nothing needs
//! JavaScript (the only script is the POST binding's auto-submit, which has a noscript button).

use samlkit_saml::{BreakKind, escape_attr, escape_text};

use super::config::{Idp, User};
use super::log::Message;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}\
fieldset{margin:1rem 0;border:1px solid #ccc;padding:.8rem}label{display:block;margin:.3rem 0}\
textarea{width:100%;font-family:monospace}code,pre{background:#f4f4f4;padding:.1rem .3rem}\
pre{padding:.6rem;overflow-x:auto;white-space:pre-wrap}button{font-size:1rem;padding:.4rem 1.2rem}\
.error{color:#a00}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\n<body>\n<h1>{}</h1>\n{body}\n<p><small>samlkit test IdP · <a href=\"/\">home</a> · <a href=\"/metadata\">metadata</a> · <a href=\"/log\">message log</a></small></p>\n</body></html>\n",
        escape_text(title),
        escape_text(title)
    )
}

/// The home page: the IdP's endpoints and an IdP-initiated login link per SP.
pub(crate) fn index(idp: &Idp) -> String {
    let mut body = format!(
        "<p>Entity ID <code>{}</code>. SSO <code>{}</code>, SLO <code>{}</code>.</p>\n<h2>Service providers</h2>\n<ul>\n",
        escape_text(&idp.entity_id),
        escape_text(&idp.sso_url()),
        escape_text(&idp.slo_url())
    );
    for sp in &idp.sps {
        let id = &sp.registration.entity_id;
        body.push_str(&format!(
            "<li><code>{}</code> — <a href=\"/sso/init?sp={}\">log in (IdP-initiated)</a></li>\n",
            escape_text(id),
            escape_attr(&samlkit_saml::redirect::url_encode(id))
        ));
    }
    body.push_str("</ul>\n");
    page("samlkit test IdP", &body)
}

/// What the login page shows about the request.
pub(crate) struct LoginRequest<'a> {
    pub(crate) token: &'a str,
    pub(crate) sp_entity_id: &'a str,
    pub(crate) acs_url: &'a str,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) shape: &'a str,
    pub(crate) sign: &'a str,
}

fn attributes_text(user: &User) -> String {
    let mut text = String::new();
    for (name, values) in &user.attributes {
        for v in values {
            text.push_str(&format!("{name}={v}\n"));
        }
    }
    text
}

/// The login page: pick a user or type a NameID, edit attributes, choose signing and a break.
pub(crate) fn login(idp: &Idp, req: &LoginRequest<'_>) -> String {
    let mut body = format!(
        "<p>Service provider <code>{}</code> asks for a login{}; the response goes to <code>{}</code>.</p>\n<form method=\"post\" action=\"/login\">\n<input type=\"hidden\" name=\"token\" value=\"{}\">\n<fieldset><legend>User</legend>\n",
        escape_text(req.sp_entity_id),
        req.request_id
            .map(|id| format!(" (AuthnRequest <code>{}</code>)", escape_text(id)))
            .unwrap_or_else(|| " (IdP-initiated)".into()),
        escape_text(req.acs_url),
        escape_attr(req.token)
    );
    for (i, user) in idp.users.iter().enumerate() {
        body.push_str(&format!(
            "<label><input type=\"radio\" name=\"user\" value=\"{}\"{}> {} <code>{}</code></label>\n",
            escape_attr(&user.id),
            if i == 0 { " checked" } else { "" },
            escape_text(&user.id),
            escape_text(&user.name_id)
        ));
    }
    body.push_str("<label>or NameID <input type=\"text\" name=\"name_id\" placeholder=\"someone@example.com\"></label>\n</fieldset>\n");
    let first = idp.users.first().map(|u| attributes_text(u)).unwrap_or_default();
    body.push_str(&format!(
        "<fieldset><legend>Attributes for this login (NAME=VALUE per line; empty: the user's own)</legend>\n<textarea name=\"attributes\" rows=\"5\" placeholder=\"{}\"></textarea>\n</fieldset>\n",
        escape_attr(&first)
    ));
    body.push_str("<fieldset><legend>Signing</legend>\n<label>Sign <select name=\"sign\">");
    for choice in ["assertion", "response", "both"] {
        body.push_str(&format!(
            "<option value=\"{choice}\"{}>{choice}</option>",
            if choice == req.sign { " selected" } else { "" }
        ));
    }
    body.push_str("</select></label>\n<label>Algorithm <select name=\"alg\"><option value=\"\">configured</option>");
    for alg in ["rsa-sha256", "rsa-sha384", "rsa-sha512", "ecdsa-sha256", "ecdsa-sha384"] {
        body.push_str(&format!("<option value=\"{alg}\">{alg}</option>"));
    }
    body.push_str(&format!(
        "</select></label>\n<p>Response shape: <code>{}</code></p>\n</fieldset>\n<fieldset><legend>Negative test: break the response (the SP must refuse it)</legend>\n<label><input type=\"radio\" name=\"break\" value=\"\" checked> none</label>\n",
        escape_text(req.shape)
    ));
    for kind in BreakKind::ALL {
        body.push_str(&format!(
            "<label><input type=\"radio\" name=\"break\" value=\"{}\"> <code>{}</code> — {}</label>\n",
            escape_attr(kind.name()),
            escape_text(kind.name()),
            escape_text(kind.description())
        ));
    }
    body.push_str("</fieldset>\n<button type=\"submit\" name=\"action\" value=\"login\" id=\"login\">Log in</button> <button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>\n</form>\n");
    page("Log in", &body)
}

/// A refused request: the reason, and the SAML error Response form if there is one.
pub(crate) fn refused(title: &str, reason: &str, error_form: Option<&str>) -> String {
    let mut body = format!(
        "<p class=\"error\"><strong>{}</strong></p>\n<p class=\"error\" id=\"reason\">{}</p>\n",
        escape_text(title),
        escape_text(reason)
    );
    if let Some(form) = error_form {
        body.push_str("<p>The service provider gets a SAML error Response:</p>\n");
        body.push_str(form);
    }
    page("Request refused", &body)
}

/// A form that posts `fields` to `action` when the user presses the button (no auto-submit, so
/// the page stays readable).
pub(crate) fn manual_post_form(action: &str, fields: &[(&str, &str)], button: &str) -> String {
    let mut form = format!("<form method=\"post\" action=\"{}\">\n", escape_attr(action));
    for (name, value) in fields {
        form.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape_attr(name),
            escape_attr(value)
        ));
    }
    form.push_str(&format!("<button type=\"submit\">{}</button>\n</form>\n", escape_text(button)));
    form
}

/// The logout page: the other SPs' logout URLs load in frames, then the browser goes on.
pub(crate) fn logged_out(frames: &[String], next: Option<&str>) -> String {
    let mut body = String::from("<p id=\"logged-out\">You are logged out of the IdP.</p>\n");
    for url in frames {
        body.push_str(&format!(
            "<iframe src=\"{}\" width=\"1\" height=\"1\" style=\"border:0\" title=\"logout\"></iframe>\n",
            escape_attr(url)
        ));
    }
    if let Some(next) = next {
        body.push_str(&format!(
            "<p><a id=\"continue\" href=\"{}\">Continue to the service provider</a></p>\n<meta http-equiv=\"refresh\" content=\"2;url={}\">\n",
            escape_attr(next),
            escape_attr(next)
        ));
    }
    page("Logged out", &body)
}

/// The message log: newest first, each pretty-printed, with a download link.
pub(crate) fn log(messages: &[Message]) -> String {
    let mut body = format!("<p>The last {} SAML messages received and sent.</p>\n", messages.len());
    for m in messages.iter().rev() {
        body.push_str(&format!(
            "<h3 id=\"m{}\">#{} {} {} {} <small>{}</small> <a href=\"/log/{}\">download</a></h3>\n<pre>{}</pre>\n",
            m.seq,
            m.seq,
            escape_text(m.direction),
            escape_text(&m.kind),
            escape_text(&m.peer),
            escape_text(&m.time),
            m.seq,
            escape_text(&super::log::pretty(&m.xml))
        ));
    }
    page("Message log", &body)
}
