"""WhatsApp through Twilio: opt-in lists, the 24-hour window, templates, status callbacks."""
