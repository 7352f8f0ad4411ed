LEGACY_CLIENT_APPS = [
    "Authenticated SMTP",
    "Exchange ActiveSync",
    "IMAP4",
    "POP3",
    "Other clients",
]


def is_sign_in(event):
    return event.get("operationName") == "Sign-in activity"
