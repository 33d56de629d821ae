-- Every server process keeps a verified sign-in in its token cache for a few seconds. A change
-- that ends one notifies the channel grannsamverkan_revoked, so that every listening process
-- empties its cache at once (db/notify.py): an account disabled or its role or kommuner changed,
-- a token revoked or changed, a session ended (signed out, replaced, the account's sessions
-- ended). Triggers, so that every path notifies, the command line's and plain SQL's included.
-- NOTIFY is sent at commit, and not at all when the change is rolled back; the same payload
-- sent several times in one transaction is delivered once.

create function notify_revoked() returns trigger language plpgsql as $$
begin
    perform pg_notify('grannsamverkan_revoked', tg_table_name);
    return null;
end $$;

create trigger account_revoked after update on account for each row
    when (new.disabled_at is not null and old.disabled_at is null
          or new.role is distinct from old.role or new.kommuner is distinct from old.kommuner)
    execute function notify_revoked();

create trigger account_deleted after delete on account for each row execute function notify_revoked();

create trigger api_token_revoked after update on api_token for each row
    when (new.revoked_at is not null and old.revoked_at is null
          or new.role is distinct from old.role or new.kommuner is distinct from old.kommuner)
    execute function notify_revoked();

create trigger api_token_deleted after delete on api_token for each row execute function notify_revoked();

create trigger web_session_ended after delete on web_session for each row execute function notify_revoked();
