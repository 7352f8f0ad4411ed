from ruledex_example_helpers import LEGACY_CLIENT_APPS, is_sign_in


def rule(event):
    if not is_sign_in(event):
        return False
    # Failed attempts are counted by the brute-force rule.
    if event.deep_get("properties", "status", "errorCode", default=0) != 0:
        return False
    return event.deep_get("properties", "clientAppUsed") in LEGACY_CLIENT_APPS


def title(event):
    user = event.deep_get("properties", "userPrincipalName", default="<unknown>")
    return f"{user} signed in with {event.deep_get('properties', 'clientAppUsed')}"


def alert_context(event):
    return {
        "user": event.deep_get("properties", "userPrincipalName"),
        "ip": event.deep_get("properties", "ipAddress"),
        "client_app": event.deep_get("properties", "clientAppUsed"),
    }
