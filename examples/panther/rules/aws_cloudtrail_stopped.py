STOPPING = {"StopLogging", "DeleteTrail"}


def rule(event):
    if event.get("errorCode"):
        return False
    return (
        event.get("eventSource") == "cloudtrail.amazonaws.com"
        and event.get("eventName") in STOPPING
    )


def dedup(event):
    return event.get("recipientAccountId", "")
