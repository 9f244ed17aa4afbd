"""What the chat page and its answers say to a person, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "name_placeholder": "Your name",
        "join": "Join",
        "text_placeholder": "Write a message",
        "send": "Send",
        "rename": "Change my name",
        "rename_save": "Save",
        "you_are": "You are {name}",
        "hub": "Hub",
        "hub_private": "Hub (private)",
        "reply": "Reply",
        "replying": "Replying to the hub",
        "name_invalid": "A name is 1 to {max} characters of text.",
        "name_taken": "The name “{name}” is already taken in this community; please pick another.",
        "name_reserved": "“{name}” is the hub's own name; please pick another.",
        "too_many_joins": "Too many new names from your connection; try again in {minutes} min.",
        "unknown_member": "Unknown member: join the room first.",
    },
    "fr": {
        "name_placeholder": "Ton nom",
        "join": "Entrer",
        "text_placeholder": "Écris un message",
        "send": "Envoyer",
        "rename": "Changer de nom",
        "rename_save": "Enregistrer",
        "you_are": "Tu es {name}",
        "hub": "Hub",
        "hub_private": "Hub (privé)",
        "reply": "Répondre",
        "replying": "Réponse au hub",
        "name_invalid": "Un nom compte de 1 à {max} caractères de texte.",
        "name_taken": "Le nom « {name} » est déjà pris dans cette communauté ; choisis-en un autre.",
        "name_reserved": "« {name} » est le nom du hub ; choisis-en un autre.",
        "too_many_joins": "Trop de nouveaux noms depuis ta connexion ; réessaie dans {minutes} min.",
        "unknown_member": "Membre inconnu : entre d'abord dans le salon.",
    },
}

PAGE_KEYS = (
    "name_placeholder",
    "join",
    "text_placeholder",
    "send",
    "rename",
    "rename_save",
    "you_are",
    "hub",
    "hub_private",
    "reply",
    "replying",
)
"""The texts the page's script shows itself; the others come in the server's answers."""


def texts_for(locale: str) -> dict[str, str]:
    """The catalogue of a community's language (English when it has none)."""
    return TEXTS.get(locale, TEXTS["en"])
