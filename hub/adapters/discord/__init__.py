"""Discord: gateway and interactions endpoint in, REST out, through discord.py."""
