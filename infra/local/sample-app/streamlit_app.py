import numpy as np
import pandas as pd
import streamlit as st

st.title("Hello from Cove")
st.write("This sample app was deployed from a git repository. Push a change and it redeploys.")

points = st.slider("Points", min_value=10, max_value=500, value=100)
if st.button("Draw again"):
    st.session_state["seed"] = st.session_state.get("seed", 0) + 1

rng = np.random.default_rng(st.session_state.get("seed", 0))
st.line_chart(pd.DataFrame(rng.standard_normal((points, 3)).cumsum(axis=0), columns=["a", "b", "c"]))
st.caption(f"Redrawn {st.session_state.get('seed', 0)} times.")
