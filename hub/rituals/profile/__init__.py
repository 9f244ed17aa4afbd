"""Profile: member cards (bio, skills, link, city), `/hub who` to find who knows what, and an
optional scheduled post introducing the members who joined most recently.

Cards belong to the core (`Member.profile`): this ritual only asks for changes with the
`SetProfile` effect, so its own state holds nothing but who was already introduced (member
references the core renames on a link and drops on forget-me).
Whatever a member typed reaches a message as a template variable, escaped for the markup.

`editing` answers `/hub profile`, `finding` answers `/hub who`, `ritual` is the entry point
and "meet the members".
"""

from hub.rituals.profile.config import ProfileConfig
from hub.rituals.profile.ritual import KEEP_INTRODUCED, Profile, ProfileState

__all__ = ["KEEP_INTRODUCED", "Profile", "ProfileConfig", "ProfileState"]
