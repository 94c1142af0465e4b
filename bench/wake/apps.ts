// The two apps the wake benchmark puts to sleep: a small one (Streamlit alone) and a pandas one
// (numpy and pandas imported and used by the script, a table and a chart). Each writes a marker text
// that a browser waits for: its first render.
export const appKinds = ['small', 'pandas'] as const;
export type AppKind = (typeof appKinds)[number];

export const markers: Record<AppKind, string> = {
  small: 'The small wake bench app is awake',
  pandas: 'The pandas wake bench app is awake',
};

export function appFiles(kind: AppKind): Record<string, string> {
  switch (kind) {
    case 'small':
      return {
        'streamlit_app.py': `import streamlit as st

st.title("Wake bench")
st.write("${markers.small}")
`,
      };
    case 'pandas':
      return {
        'requirements.txt': 'pandas\nnumpy\n',
        'streamlit_app.py': `import numpy as np
import pandas as pd
import streamlit as st

frame = pd.DataFrame(np.random.default_rng(7).normal(size=(500, 4)), columns=list("abcd"))
st.title("Wake bench")
st.write("${markers.pandas}")
st.dataframe(frame.describe())
st.line_chart(frame.cumsum())
`,
      };
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown app kind ${String(unknown)}`);
    }
  }
}
