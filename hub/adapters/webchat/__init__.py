"""Webchat: the hub's own chat page, the embedded default platform and a first-class fake.

Messages travel through Redis streams (one per room, one per member for private messages), so
the web process, which serves the page, and the workers, which send, can be separate processes.
"""
