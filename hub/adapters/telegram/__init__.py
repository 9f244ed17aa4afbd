"""Telegram: Bot API updates in (webhook), python-telegram-bot's Bot out."""
