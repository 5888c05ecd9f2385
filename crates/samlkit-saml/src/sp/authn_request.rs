//! The SP-initiated start of a login: an `samlp:AuthnRequest` (SAML core §3.4.1) sent to the
//! IdP's SingleSignOnService with the HTTP-Redirect or the HTTP-POST binding.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use samlkit_cert::{SignatureAlgorithm, Signer};

use super::ServiceProvider;
use super::idp::config_error;
use crate::builder::{NS_ASSERTION, NS_PROTOCOL};
use crate::escape::{escape_attr, escape_text};
use crate::redirect::{self, MAX_RELAY_STATE_BYTES, MessageKind};
use crate::{BINDING_HTTP_POST, SamlError, format_instant, new_id};

/// Options of one AuthnRequest, from [`ServiceProvider::authn_request`]; finish with
/// [`AuthnRequestBuilder::redirect`], [`AuthnRequestBuilder::signed_redirect`] or
/// [`AuthnRequestBuilder::post`].
#[derive(Clone, Debug)]
#[must_use = "an AuthnRequestBuilder does nothing until redirect(), signed_redirect() or post()"]
pub struct AuthnRequestBuilder<'sp> {
    sp: &'sp ServiceProvider,
    now: DateTime<Utc>,
    name_id_format: Option<String>,
    force_authn: bool,
    relay_state: Option<String>,
}

impl<'sp> AuthnRequestBuilder<'sp> {
    pub(crate) fn new(sp: &'sp ServiceProvider, now: DateTime<Utc>) -> AuthnRequestBuilder<'sp> {
        AuthnRequestBuilder { sp, now, name_id_format: None, force_authn: false, relay_state: None }
    }

    /// Asks for a NameID of this format (a URI; see [`crate::name_id_format_uri`]) in a
    /// `NameIDPolicy` with `AllowCreate="true"`. Without it the IdP chooses.
    pub fn name_id_format(mut self, format_uri: impl Into<String>) -> Self {
        self.name_id_format = Some(format_uri.into());
        self
    }

    /// Sets `ForceAuthn="true"`: the IdP must authenticate the user afresh, not reuse a session.
    pub fn force_authn(mut self) -> Self {
        self.force_authn = true;
        self
    }

    /// The RelayState sent with the request (and returned with the response), at most 80 bytes
    /// (SAML bindings §3.4.3). It is not protected: never put anything in it that the SP then
    /// trusts, such as an unchecked URL to redirect to.
    pub fn relay_state(mut self, relay_state: impl Into<String>) -> Self {
        self.relay_state = Some(relay_state.into());
        self
    }

    /// The request for the HTTP-Redirect binding, unsigned: send the browser to
    /// [`RedirectRequest::url`]. Fails when the IdP has no HTTP-Redirect SingleSignOnService.
    pub fn redirect(self) -> Result<RedirectRequest, SamlError> {
        let destination = self.redirect_destination()?;
        let (id, xml) = self.xml(destination)?;
        let mut query = format!(
            "{}={}",
            MessageKind::Request.parameter(),
            redirect::url_encode(&redirect::deflate_and_encode(xml.as_bytes()))
        );
        if let Some(rs) = &self.relay_state {
            query.push_str("&RelayState=");
            query.push_str(&redirect::url_encode(rs));
        }
        let url = format!("{destination}{}{query}", query_separator(destination));
        Ok(RedirectRequest { id, xml, url })
    }

    /// The request for the HTTP-Redirect binding, with the query-string signature of SAML
    /// bindings §3.4.4.1 made by the SP's `signer` with `algorithm` (see
    /// [`crate::redirect::sign_url`]; SHA-1 is refused). For IdPs that want signed requests
    /// (`WantAuthnRequestsSigned`).
    pub fn signed_redirect(
        self,
        signer: &Signer,
        algorithm: SignatureAlgorithm,
    ) -> Result<RedirectRequest, SamlError> {
        let destination = self.redirect_destination()?;
        let (id, xml) = self.xml(destination)?;
        let url = redirect::sign_url(
            destination,
            MessageKind::Request,
            xml.as_bytes(),
            self.relay_state.as_deref(),
            algorithm,
            signer,
        )?;
        Ok(RedirectRequest { id, xml, url })
    }

    /// The request for the HTTP-POST binding, unsigned: the fields of the form the browser posts
    /// to [`PostRequest::action`]. Fails when the IdP has no HTTP-POST SingleSignOnService.
    pub fn post(self) -> Result<PostRequest, SamlError> {
        let action = self.sp.idp().sso_post_url().ok_or_else(|| {
            config_error(format!(
                "the IdP {:?} has no HTTP-POST SingleSignOnService",
                self.sp.idp().entity_id()
            ))
        })?;
        let (id, xml) = self.xml(action)?;
        Ok(PostRequest {
            saml_request: STANDARD.encode(xml.as_bytes()),
            action: action.to_string(),
            relay_state: self.relay_state.clone(),
            id,
            xml,
        })
    }

    fn redirect_destination(&self) -> Result<&'sp str, SamlError> {
        self.sp.idp().sso_redirect_url().ok_or_else(|| {
            config_error(format!(
                "the IdP {:?} has no HTTP-Redirect SingleSignOnService",
                self.sp.idp().entity_id()
            ))
        })
    }

    /// A fresh ID and the request's XML, addressed to `destination`.
    fn xml(&self, destination: &str) -> Result<(String, String), SamlError> {
        if let Some(rs) = self.relay_state.as_deref().filter(|rs| rs.len() > MAX_RELAY_STATE_BYTES)
        {
            return Err(config_error(format!(
                "RelayState is {} bytes; SAML bindings §3.4.3 allows at most {MAX_RELAY_STATE_BYTES}",
                rs.len()
            )));
        }
        let id = new_id()?;
        let mut x = String::with_capacity(1024);
        x.push_str(&format!(
            "<samlp:AuthnRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\"",
            format_instant(self.now),
            escape_attr(destination),
        ));
        if self.force_authn {
            x.push_str(" ForceAuthn=\"true\"");
        }
        x.push_str(&format!(
            " ProtocolBinding=\"{BINDING_HTTP_POST}\" AssertionConsumerServiceURL=\"{}\">",
            escape_attr(self.sp.acs_url())
        ));
        x.push_str(&format!("<saml:Issuer>{}</saml:Issuer>", escape_text(self.sp.entity_id())));
        if let Some(format) = &self.name_id_format {
            x.push_str(&format!(
                "<samlp:NameIDPolicy Format=\"{}\" AllowCreate=\"true\"/>",
                escape_attr(format)
            ));
        }
        x.push_str("</samlp:AuthnRequest>");
        Ok((id, x))
    }
}

/// `?` to start a query, `&` to extend one, nothing after a trailing `?` or `&`.
fn query_separator(destination: &str) -> &'static str {
    match destination.contains('?') {
        false => "?",
        true if destination.ends_with(['?', '&']) => "",
        true => "&",
    }
}

/// An AuthnRequest for the HTTP-Redirect binding. Remember [`RedirectRequest::id`] as an
/// outstanding request (the response must answer it), then send the browser to
/// [`RedirectRequest::url`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "remember the request's id() as outstanding and send the browser to url()"]
pub struct RedirectRequest {
    id: String,
    xml: String,
    url: String,
}

impl RedirectRequest {
    /// The request's ID: pass it to [`ServiceProvider::verify_post`] among the outstanding IDs.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `samlp:AuthnRequest` XML (for logs and tests).
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// The IdP's SingleSignOnService URL with `SAMLRequest` (DEFLATE + base64), `RelayState`
    /// and, when signed, `SigAlg` and `Signature`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// An AuthnRequest for the HTTP-POST binding. Remember [`PostRequest::id`] as an outstanding
/// request, then have the browser post [`PostRequest::form_fields`] to [`PostRequest::action`]
/// (an auto-submitting HTML form).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "remember the request's id() as outstanding and post form_fields() to action()"]
pub struct PostRequest {
    id: String,
    xml: String,
    action: String,
    saml_request: String,
    relay_state: Option<String>,
}

impl PostRequest {
    /// The request's ID: pass it to [`ServiceProvider::verify_post`] among the outstanding IDs.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `samlp:AuthnRequest` XML.
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// The IdP's HTTP-POST SingleSignOnService URL: the form's `action`.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The `SAMLRequest` field: the XML in base64.
    pub fn saml_request(&self) -> &str {
        &self.saml_request
    }

    /// The `RelayState` field, if any.
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// The form's fields as (name, value) pairs: `SAMLRequest`, then `RelayState` if set. The
    /// values are not HTML-escaped.
    pub fn form_fields(&self) -> Vec<(&'static str, &str)> {
        let mut fields = vec![("SAMLRequest", self.saml_request.as_str())];
        if let Some(rs) = &self.relay_state {
            fields.push(("RelayState", rs.as_str()));
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_separators() {
        let cases = [
            ("https://idp/sso", "?"),
            ("https://idp/sso?tenant=1", "&"),
            ("https://idp/sso?", ""),
            ("https://idp/sso?a=1&", ""),
        ];
        for (url, sep) in cases {
            assert_eq!(query_separator(url), sep, "{url}");
        }
    }
}
