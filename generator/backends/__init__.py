"""One module per target: a view model built from the IR and the templates it renders."""
