// Services are @Injectable classes; outside an Angular build their factories are compiled just in
// time, which needs the compiler loaded first. (Tests only: the app itself is compiled ahead of time.)
import '@angular/compiler';
