"""Slack: Events API, slash commands and interactivity in; Web API (chat.postMessage) out."""
