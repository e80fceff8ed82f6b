//! `jiandu users <add|passwd|disable|enable|token|list>`: the people who log in to the pages
//! and the API. Passwords come from standard input (never from the command line, where
//! other users of the machine could read them) and are stored as argon2 hashes.

use std::io::Read;

use anyhow::{Context, Result};
use clap::Subcommand;
use jiandu_model::{Role, UserName, clock};
use jiandu_store::{Store, UserChangeError};

use super::actor;
use crate::BadInput;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a user: admin, legal, dispatcher, unit (with --unit) or auditor.
    Add {
        name: UserName,
        /// admin, legal, dispatcher, unit or auditor.
        #[arg(long)]
        role: String,
        /// The unit a `unit` user belongs to (its id or name).
        #[arg(long, value_name = "UNIT")]
        unit: Option<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password (its sessions end).
    Passwd {
        name: UserName,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: its sessions and API token stop working at once.
    Disable { name: UserName },
    /// Enable a disabled user again.
    Enable { name: UserName },
    /// Give a user a new API token for `/api/v1/` (printed once; replaces the old one).
    Token { name: UserName },
    /// Every user with its role and unit.
    List,
}

fn password(from_stdin: bool) -> Result<String> {
    if !from_stdin {
        return Err(BadInput(
            "give the password on standard input with --password-stdin, e.g. `echo \"$PW\" | jiandu users add …`"
                .into(),
        )
        .into());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the password from standard input")?;
    Ok(text.lines().next().unwrap_or("").to_owned())
}

fn hash(password: &str) -> Result<String> {
    jiandu_web::auth::hash_password(password).map_err(|e| BadInput(e.to_string()).into())
}

fn changed(result: Result<(), UserChangeError>) -> Result<()> {
    result.map_err(|e| BadInput(e.to_string()).into())
}

/// Adds a user with its password (also for `jiandu demo`).
pub async fn add(
    store: &Store,
    name: &UserName,
    role: &Role,
    password: &str,
    by: &str,
) -> Result<()> {
    store
        .add_user(name, role, &hash(password)?, by, clock::now())
        .await?
        .map_err(|e| BadInput(e.to_string()))?;
    Ok(())
}

pub async fn run(settings: &Settings, command: Command) -> Result<()> {
    let store = settings.open_store().await?;
    let result = dispatch(&store, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, command: Command) -> Result<()> {
    let by = actor(None);
    let now = clock::now();
    match command {
        Command::Add {
            name,
            role,
            unit,
            password_stdin,
        } => {
            let unit = match unit {
                Some(u) => Some(super::units::resolve(store, &u).await?),
                None => None,
            };
            let role = Role::new(&role, unit.as_deref()).map_err(BadInput)?;
            add(store, &name, &role, &password(password_stdin)?, &by).await?;
            println!("added {name} ({role}, {})", role.chinese());
        }
        Command::Passwd {
            name,
            password_stdin,
        } => {
            let hash = hash(&password(password_stdin)?)?;
            changed(store.set_password(&name, &hash, &by, now).await?)?;
            println!("{name}: password changed; its sessions have ended");
        }
        Command::Disable { name } => {
            changed(store.set_user_disabled(&name, true, &by, now).await?)?;
            println!("{name}: disabled; its sessions and API token no longer work");
        }
        Command::Enable { name } => {
            changed(store.set_user_disabled(&name, false, &by, now).await?)?;
            println!("{name}: enabled");
        }
        Command::Token { name } => {
            let token = jiandu_web::auth::new_token().map_err(|e| BadInput(e.to_string()))?;
            let hash = jiandu_web::auth::token_hash(&token);
            changed(store.set_api_token(&name, Some(&hash), &by, now).await?)?;
            println!("{token}");
            eprintln!(
                "the API token of {name}: send it as `Authorization: Bearer TOKEN` to /api/v1/; it is shown only now"
            );
        }
        Command::List => {
            let users = store.list_users().await?;
            if users.is_empty() {
                println!("no users yet: jiandu users add NAME --role ROLE --password-stdin");
            }
            for user in users {
                println!(
                    "{}  {}  {}{}{}",
                    super::pad(user.name.as_str(), 16),
                    super::pad(&user.role.to_string(), 28),
                    user.role.chinese(),
                    if user.disabled {
                        "  (disabled 已停用)"
                    } else {
                        ""
                    },
                    if user.has_api_token {
                        "  (API token)"
                    } else {
                        ""
                    },
                );
            }
        }
    }
    Ok(())
}
