import './styles.css';
// placeholder: replaced by the UI helper
import { createRoot } from 'react-dom/client';
createRoot(document.getElementById('root')!).render(<p>Mesh Compute</p>);
