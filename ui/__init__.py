"""Streamlit helpers shared by the pages: cached loaders, state keys, charts and widgets."""
