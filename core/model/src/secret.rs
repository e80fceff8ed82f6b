//! `redact_url`: a URL fit for messages and logs. The one place credentials are removed from
//! a database or SMTP URL before anything prints it.

/// The URL with the password of its user-info and the values of `password`, `pass` and
/// `token` query parameters replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let mut shown = match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let head = url.get(..scheme + 3).unwrap_or_default();
            let userinfo = url.get(scheme + 3..at).unwrap_or_default();
            let tail = url.get(at..).unwrap_or_default();
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{head}{user}:***{tail}"),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    };
    if let Some((base, query)) = shown.clone().split_once('?') {
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((name, _))
                    if ["password", "pass", "token"]
                        .contains(&name.to_ascii_lowercase().as_str()) =>
                {
                    format!("{name}=***")
                }
                _ => param.to_owned(),
            })
            .collect();
        shown = format!("{base}?{}", params.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://jiandu.db"), "sqlite://jiandu.db");
        assert_eq!(
            redact_url("smtps://jiandu:p@ss@mail.example:465"),
            "smtps://jiandu:***@mail.example:465"
        );
        assert_eq!(
            redact_url("postgres://h/db?user=u&password=secret&sslmode=require"),
            "postgres://h/db?user=u&password=***&sslmode=require"
        );
    }
}
