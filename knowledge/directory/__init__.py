"""The switchboard directory: people with their office contact data, and finding units, people and
functions by what a caller says ("Herr Müller vom Bauamt", "den Landrat", "Kreiskasse")."""
