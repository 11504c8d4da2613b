"""The Textual user interface: app, screens, widgets, dialogs and styles."""
